import { Injectable } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  type Actor,
  DomainError,
  type InviteSubuserRequest,
  type Subuser as SubuserView,
  type UpdateSubuserRequest,
} from '@blockplane/contracts';
import { Outbox } from '@blockplane/database';
import { AccountRepository } from '../accounts/account.repository.js';
import { GameServerRepository } from '../servers/game-server.repository.js';
import { AccessService } from './access.service.js';
import { assertMayGrant, changedPermissions, sortedPermissions } from './server-access.js';
import { Subuser } from './subuser.entity.js';
import { SubuserRepository } from './subuser.repository.js';

/**
 * A server's sub-users. The gateway has checked the route's `user.*` permission; here the caller must
 * reach the server at all, and may grant or revoke only permissions they hold themselves.
 */
@Injectable()
export class SubusersService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: AccessService,
    private readonly subusers: SubuserRepository,
    private readonly accounts: AccountRepository,
    private readonly servers: GameServerRepository,
    private readonly outbox: Outbox,
  ) {}

  list(actor: Actor, serverId: string): Promise<SubuserView[]> {
    return RequestContext.create(this.em, async () => {
      await this.access.resolve(actor, serverId);
      const subusers = await this.subusers.listOf(serverId);
      const emails = await this.accounts.emailsOf(subusers.map((subuser) => subuser.userId));
      return subusers.map((subuser) => toView(subuser, emails.get(subuser.userId)));
    });
  }

  /**
   * Invites an account by email. An unknown email answers NOT_FOUND: this tells a caller who may
   * invite whether an email has an account here (auth's registration answers alike either way).
   */
  invite(actor: Actor, serverId: string, { email, permissions }: InviteSubuserRequest): Promise<SubuserView> {
    return this.em.transactional(async () => {
      const access = await this.access.resolve(actor, serverId);
      assertMayGrant(access, permissions);
      const account = await this.accounts.findByEmail(email);
      if (!account) throw new DomainError('NOT_FOUND', 'no account with this email');
      if (account.userId === access.ownerId) throw conflict('the owner of a server cannot be its sub-user');
      if (account.userId === actor.userId) throw conflict('you cannot invite yourself');
      // Under the server's lock: a deletion ends sub-users under it too, so none is added to a server going away.
      const server = await this.servers.lockLive(serverId);
      if (await this.subusers.find(serverId, account.userId)) throw conflict('already a sub-user of this server');
      const subuser = Object.assign(new Subuser(), {
        serverId,
        userId: account.userId,
        permissions: sortedPermissions(permissions),
        serverCreatedAt: server.createdAt,
      });
      this.subusers.add(subuser);
      return toView(subuser, email);
    });
  }

  /** Every permission added or removed must be the caller's to give. */
  update(actor: Actor, serverId: string, userId: string, { permissions }: UpdateSubuserRequest): Promise<SubuserView> {
    return this.em.transactional(async () => {
      const { access, subuser } = await this.lockSubuser(actor, serverId, userId);
      const changed = changedPermissions(subuser.permissions, permissions);
      assertMayGrant(access, changed);
      if (changed.length > 0) {
        subuser.permissions = sortedPermissions(permissions);
        this.outbox.stage('server.access-changed', { serverId, userId });
        await this.em.flush();
      }
      const emails = await this.accounts.emailsOf([userId]);
      return toView(subuser, emails.get(userId));
    });
  }

  /** Removing a sub-user revokes all they hold: the caller must hold it all too. */
  remove(actor: Actor, serverId: string, userId: string): Promise<void> {
    return this.em.transactional(async () => {
      const { access, subuser } = await this.lockSubuser(actor, serverId, userId);
      assertMayGrant(access, subuser.permissions);
      this.subusers.remove(subuser);
      this.outbox.stage('server.access-changed', { serverId, userId });
    });
  }

  private async lockSubuser(actor: Actor, serverId: string, userId: string) {
    const access = await this.access.resolve(actor, serverId);
    const subuser = await this.subusers.lock(serverId, userId);
    if (!subuser) throw new DomainError('NOT_FOUND', `user ${userId} is not a sub-user of server ${serverId}`);
    return { access, subuser };
  }
}

function conflict(message: string): DomainError {
  return new DomainError('CONFLICT', message);
}

/** The email is known: sub-users are invited by it. */
function toView(subuser: Subuser, email: string | null | undefined): SubuserView {
  return {
    userId: subuser.userId,
    email: email ?? '',
    permissions: subuser.permissions,
    createdAt: subuser.createdAt.toISOString(),
    updatedAt: subuser.updatedAt.toISOString(),
  };
}
