import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EnsureRequestContext } from '@mikro-orm/decorators/legacy';
import { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { Role, RpcResponse } from '@blockplane/contracts';
import { SigningKey } from './signing-key.entity.js';
import { SigningKeyRepository } from './signing-key.repository.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
const ALG = 'EdDSA';

type Jwks = RpcResponse<'auth.jwks'>;

/** Signs access tokens with the newest key (made at first start) and publishes every public key. */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private signer?: { kid: string; key: Awaited<ReturnType<typeof importJWK>> };

  constructor(
    private readonly em: EntityManager,
    private readonly keys: SigningKeyRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const key = await this.em.transactional(async () => {
      await this.keys.lockCreation();
      const newest = await this.keys.newest();
      if (newest) return newest;
      const created = await generateSigningKey();
      this.keys.add(created);
      return created;
    });
    this.signer = { kid: key.kid, key: await importJWK(key.privateJwk, ALG) };
  }

  async sign(user: { id: string; role: Role }): Promise<string> {
    if (!this.signer) throw new Error('no signing key yet: the module has not started');
    return new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: ALG, typ: 'at+jwt', kid: this.signer.kid })
      .setSubject(user.id)
      .setJti(randomUUID())
      .setIssuer('blockplane-auth')
      .setAudience('blockplane-api')
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.signer.key);
  }

  @EnsureRequestContext()
  async jwks(): Promise<Jwks> {
    const keys = await this.keys.all();
    return {
      keys: keys.map(({ kid, publicJwk }) => ({
        kid,
        kty: String(publicJwk.kty),
        crv: publicJwk.crv,
        x: publicJwk.x,
        alg: ALG,
        use: 'sig',
      })),
    };
  }
}

async function generateSigningKey(): Promise<SigningKey> {
  const pair = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const key = new SigningKey();
  key.publicJwk = await exportJWK(pair.publicKey);
  key.privateJwk = await exportJWK(pair.privateKey);
  key.kid = await calculateJwkThumbprint(key.publicJwk);
  return key;
}
