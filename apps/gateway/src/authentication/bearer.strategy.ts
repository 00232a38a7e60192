import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-http-bearer';
import type { Actor } from '@blockplane/contracts';
import { sourceOf } from '../http/source-address.js';
import { CallerAuthenticator } from './caller-authenticator.js';

/** `Authorization: Bearer <access token | API key>`; the authenticated actor becomes `req.user`. */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly callers: CallerAuthenticator) {
    super({ passReqToCallback: true });
  }

  async validate(req: Request, credential: string): Promise<Actor | false> {
    return (await this.callers.authenticate(credential, sourceOf(req))) ?? false;
  }
}
