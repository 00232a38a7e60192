import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type Actor, DomainError, type Permission, type TransferKind } from '@blockplane/contracts';
import { FILES_CONFIG, type FilesConfig } from '../files.config.js';
import type { DataPath } from '../paths/data-path.js';

/** What a grant lets its bearer do, once: one kind of transfer on one path of one server. */
export interface TransferGrant {
  kind: TransferKind;
  serverId: string;
  path: DataPath;
  actor: Actor;
  permissions: ReadonlySet<Permission>;
  expiresAt: number;
}

/**
 * Single-use, short-lived grants for the HTTP streams, held by the replica that issued them (the grant's
 * URL names that replica). A token is 256 random bits: unguessable, and worthless once used or expired.
 */
@Injectable()
export class TransferGrants implements OnModuleDestroy {
  private readonly grants = new Map<string, TransferGrant>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(FILES_CONFIG) private readonly config: FilesConfig) {
    this.sweeper = setInterval(() => this.sweep(), config.grantTtlMs);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  issue(grant: Omit<TransferGrant, 'expiresAt'>): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + this.config.grantTtlMs;
    this.grants.set(token, { ...grant, expiresAt });
    return { token, expiresAt };
  }

  /** The grant of an `Authorization: Bearer` header, removed as it is taken; UNAUTHENTICATED otherwise. */
  take(authorization: string | undefined): TransferGrant {
    const token = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(authorization ?? '')?.[1];
    const grant = token === undefined ? undefined : this.grants.get(token);
    if (!token || !grant) {
      throw new DomainError('UNAUTHENTICATED', 'a valid transfer grant is required');
    }
    this.grants.delete(token);
    if (grant.expiresAt < Date.now()) throw new DomainError('UNAUTHENTICATED', 'the transfer grant has expired');
    return grant;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, grant] of this.grants) if (grant.expiresAt < now) this.grants.delete(token);
  }
}
