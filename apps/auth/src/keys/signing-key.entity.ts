import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { JWK } from 'jose';

/** An Ed25519 key pair that signs access tokens; the newest signs, all verify. */
@Entity({ tableName: 'signing_key' })
export class SigningKey {
  /** The JWK thumbprint (RFC 7638) of the public key. */
  @PrimaryKey({ type: 'text' })
  kid!: string;

  @Property({ type: 'json' })
  publicJwk!: JWK;

  @Property({ type: 'json' })
  privateJwk!: JWK;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
