import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { BearerStrategy } from './bearer.strategy.js';
import { CallerAuthenticator } from './caller-authenticator.js';
import { JwksKeyStore } from './jwks-key.store.js';

/** Who is calling: auth's access tokens (verified here) and API keys (verified by auth), as passport's `bearer`. */
@Global()
@Module({
  imports: [PassportModule],
  providers: [JwksKeyStore, AccessTokenVerifier, CallerAuthenticator, BearerStrategy],
  // Global: the console socket authenticates its handshake with the same authenticator.
  exports: [CallerAuthenticator],
})
export class AuthenticationModule {}
