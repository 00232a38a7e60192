import { Injectable } from '@nestjs/common';
import { type Actor, API_KEY_PREFIX, DomainError, type ErrorCode, rpcCatalogue } from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { AccessTokenVerifier } from './access-token.verifier.js';

const apiKeyShape = rpcCatalogue['auth.verify-api-key'].request.shape.key;

/** `undefined` when the call fails with `code`: the caller's credential is no good, not the platform. */
async function unless<T>(code: ErrorCode, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError && error.code === code) return undefined;
    throw error;
  }
}

/**
 * Turns a bearer credential into the actor it speaks for: an API key (told apart by its prefix) through
 * auth, or an access token verified here and then the account's standing asked of auth. `undefined`
 * means no valid credential (401); a suspended account is refused outright (403).
 */
@Injectable()
export class CallerAuthenticator {
  constructor(
    private readonly tokens: AccessTokenVerifier,
    private readonly rpc: RpcClient,
  ) {}

  authenticate(credential: string, source: string): Promise<Actor | undefined> {
    return credential.startsWith(API_KEY_PREFIX) ? this.apiKey(credential, source) : this.accessToken(credential);
  }

  /** Auth answers revoked, expired, unknown and off-list keys alike (401), a suspended owner's as 403. */
  private async apiKey(key: string, source: string): Promise<Actor | undefined> {
    if (!apiKeyShape.safeParse(key).success) return undefined;
    return unless('UNAUTHENTICATED', () => this.rpc.request('auth.verify-api-key', { key, source }));
  }

  private async accessToken(token: string): Promise<Actor | undefined> {
    const userId = await this.tokens.verify(token);
    if (userId === undefined) return undefined;
    // Asked on every request, never cached: a suspension or a demotion applies to the very next one.
    const principal = await unless('NOT_FOUND', () => this.rpc.request('auth.principal', { userId }));
    if (principal === undefined) return undefined;
    if (principal.status === 'suspended') throw new DomainError('FORBIDDEN', 'account is suspended');
    return { userId, role: principal.role };
  }
}
