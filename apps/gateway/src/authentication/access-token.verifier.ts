import { Injectable } from '@nestjs/common';
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { JwksKeyStore } from './jwks-key.store.js';

/** What auth puts in every access token; anything else is not one. */
const accessTokenRules = {
  issuer: 'blockplane-auth',
  audience: 'blockplane-api',
  typ: 'at+jwt',
  algorithms: ['EdDSA'],
};

const subject = z.uuid();

/**
 * Turns an access token into the user it was issued to, or `undefined` when it is not a valid one. Only the
 * subject is believed: the account's role and standing are asked of auth on every request.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(private readonly keys: JwksKeyStore) {}

  async verify(token: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keys.resolve, accessTokenRules);
      const userId = subject.safeParse(payload.sub);
      return userId.success ? userId.data : undefined;
    } catch (error) {
      // A bad token is the caller's problem (401); failing to reach auth for keys is ours (503).
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
