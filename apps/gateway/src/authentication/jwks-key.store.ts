import { Injectable } from '@nestjs/common';
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JWSHeaderParameters } from 'jose';
import { RpcClient } from '@blockplane/messaging';

/** A token with an unknown `kid` triggers at most one refetch in this window: forged kids cannot flood auth. */
export const JWKS_REFETCH_INTERVAL_MS = 30_000;

type KeyResolver = ReturnType<typeof createLocalJWKSet>;

/** Auth's public keys, asked once over `auth.jwks` and again only when a token names a key not yet seen. */
@Injectable()
export class JwksKeyStore {
  private resolver?: KeyResolver;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private fetching?: Promise<KeyResolver>;

  constructor(private readonly rpc: RpcClient) {}

  /** jose's key resolver for `jwtVerify`. */
  readonly resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const resolver = this.resolver ?? (await this.refetch());
    try {
      return await resolver(header, token);
    } catch (error) {
      const mayRefetch = Date.now() - this.fetchedAt >= JWKS_REFETCH_INTERVAL_MS;
      if (!(error instanceof errors.JWKSNoMatchingKey) || !mayRefetch) throw error;
      return (await this.refetch())(header, token);
    }
  };

  private refetch(): Promise<KeyResolver> {
    this.fetching ??= this.rpc
      .request('auth.jwks', {})
      .then(({ keys }) => {
        this.resolver = createLocalJWKSet({ keys });
        this.fetchedAt = Date.now();
        return this.resolver;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }
}
