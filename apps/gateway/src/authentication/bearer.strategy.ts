import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-http-bearer';
import type { Actor } from '@blockplane/contracts';
import { AccessTokenVerifier } from './access-token.verifier.js';

/** `Authorization: Bearer <access token>`; the verified actor becomes `req.user`. */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly verifier: AccessTokenVerifier) {
    super();
  }

  async validate(token: string): Promise<Actor | false> {
    return (await this.verifier.verify(token)) ?? false;
  }
}
