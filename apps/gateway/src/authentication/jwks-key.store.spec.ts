import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { errors, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { RpcClient } from '@blockplane/messaging';
import { JWKS_REFETCH_INTERVAL_MS, JwksKeyStore } from './jwks-key.store.js';

/** Stands in for `auth.jwks`: answers whatever keys auth publishes at the moment, and counts the asks. */
class FakeAuth {
  published: JWK[] = [];
  asked = 0;
  readonly rpc = {
    request: async () => {
      this.asked += 1;
      return { keys: this.published };
    },
  } as unknown as RpcClient;
}

const header = (kid: string) => ({ alg: 'EdDSA', kid });
const token = { payload: '', signature: '' };

describe('JwksKeyStore', () => {
  let first: JWK;
  let second: JWK;
  let now = 1_000_000;

  beforeAll(async () => {
    const publicJwk = async (kid: string) => ({
      ...(await exportJWK((await generateKeyPair('EdDSA')).publicKey)),
      kid,
      alg: 'EdDSA',
    });
    [first, second] = await Promise.all([publicJwk('first'), publicJwk('second')]);
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => {
    now += 10 * JWKS_REFETCH_INTERVAL_MS;
  });

  it('asks auth once, even for requests that arrive together, then answers from the cache', async () => {
    const auth = new FakeAuth();
    auth.published = [first];
    const store = new JwksKeyStore(auth.rpc);
    const keys = await Promise.all([1, 2, 3].map(() => store.resolve(header('first'), token)));
    expect(keys.every((key) => key.type === 'public')).toBe(true);
    await store.resolve(header('first'), token);
    expect(auth.asked).toBe(1);
  });

  it('refetches for an unknown kid at most once per interval', async () => {
    const auth = new FakeAuth();
    auth.published = [first];
    const store = new JwksKeyStore(auth.rpc);
    await store.resolve(header('first'), token);

    auth.published = [first, second];
    now += JWKS_REFETCH_INTERVAL_MS - 1;
    await expect(store.resolve(header('second'), token)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(auth.asked).toBe(1);

    now += 1;
    await expect(store.resolve(header('second'), token)).resolves.toBeDefined();
    expect(auth.asked).toBe(2);
    await expect(store.resolve(header('forged'), token)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(auth.asked).toBe(2);
  });

  it('asks again after a failed fetch instead of caching the failure', async () => {
    const auth = new FakeAuth();
    let down = true;
    const rpc = {
      request: async () => {
        if (down) throw new Error('auth is down');
        return auth.rpc.request('auth.jwks', {});
      },
    } as unknown as RpcClient;
    auth.published = [first];
    const store = new JwksKeyStore(rpc);
    await expect(store.resolve(header('first'), token)).rejects.toThrow('auth is down');
    down = false;
    await expect(store.resolve(header('first'), token)).resolves.toBeDefined();
  });
});
