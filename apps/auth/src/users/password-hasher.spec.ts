import { describe, expect, it } from '@jest/globals';
import { PasswordHasher } from './password-hasher.js';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at OWASP’s parameters (19 MiB, t=2, p=1) and a random salt', async () => {
    const [a, b] = await Promise.all([hasher.hash('a long enough password'), hasher.hash('a long enough password')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right password only', async () => {
    const stored = await hasher.hash('a long enough password');
    expect(await hasher.verify(stored, 'a long enough password')).toBe(true);
    expect(await hasher.verify(stored, 'a long enough passworD')).toBe(false);
  });

  it('says no without a stored hash, after the same work', async () => {
    expect(await hasher.verify(undefined, 'anything at all')).toBe(false);
  });
});
