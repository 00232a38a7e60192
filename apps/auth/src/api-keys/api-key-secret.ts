import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@blockplane/contracts';
import { hashSecret, newSecretToken } from '../secrets/secret-token.js';

/** `bp_<16 hex: lookup id>_<43 base64url: 32 random bytes>`; hex keeps the `_` separator unambiguous. */
const keyPattern = new RegExp(`^(${API_KEY_PREFIX}[0-9a-f]{16})_([\\w-]{43})$`);

export interface NewApiKeySecret {
  /** The whole key, shown once. */
  key: string;
  prefix: string;
  secretHash: string;
}

export function newApiKeySecret(): NewApiKeySecret {
  const prefix = `${API_KEY_PREFIX}${randomBytes(8).toString('hex')}`;
  const secret = newSecretToken();
  return { key: `${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/** The parts of a well-formed key, or null. */
export function parseApiKey(key: string): { prefix: string; secretHash: string } | null {
  const [, prefix, secret] = keyPattern.exec(key) ?? [];
  return prefix && secret ? { prefix, secretHash: hashSecret(secret) } : null;
}
