import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { BearerStrategy } from './bearer.strategy.js';
import { JwksKeyStore } from './jwks-key.store.js';

/** Authenticates every request at the edge with auth's access tokens. */
@Module({
  imports: [PassportModule],
  providers: [JwksKeyStore, AccessTokenVerifier, BearerStrategy, { provide: APP_GUARD, useClass: BearerAuthGuard }],
})
export class AuthenticationModule {}
