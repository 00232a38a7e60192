import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** Argon2id (the library's default algorithm) at OWASP's minimum: 19 MiB, 2 passes, 1 lane. */
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

@Injectable()
export class PasswordHasher {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, options);
  }

  /** Without a stored hash it still verifies against a dummy, so an unknown email costs the same time. */
  async verify(stored: string | undefined, password: string): Promise<boolean> {
    this.dummy ??= this.hash(randomBytes(16).toString('base64url'));
    const matches = await verify(stored ?? (await this.dummy), password);
    return stored !== undefined && matches;
  }
}
