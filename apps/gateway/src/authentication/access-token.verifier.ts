import { Injectable } from '@nestjs/common';
import { errors, jwtVerify } from 'jose';
import { type Actor, actorSchema } from '@blockplane/contracts';
import { JwksKeyStore } from './jwks-key.store.js';

/** What auth puts in every access token; anything else is not one. */
const accessTokenRules = {
  issuer: 'blockplane-auth',
  audience: 'blockplane-api',
  typ: 'at+jwt',
  algorithms: ['EdDSA'],
};

/** Turns an access token into the actor it speaks for, or `undefined` when it is not a valid one. */
@Injectable()
export class AccessTokenVerifier {
  constructor(private readonly keys: JwksKeyStore) {}

  async verify(token: string): Promise<Actor | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keys.resolve, accessTokenRules);
      const actor = actorSchema.safeParse({ userId: payload.sub, role: payload['role'] });
      return actor.success ? actor.data : undefined;
    } catch (error) {
      // A bad token is the caller's problem (401); failing to reach auth for keys is ours (503).
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
