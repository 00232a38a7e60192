import { Injectable } from '@nestjs/common';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Actor, ServerAccess } from '@blockplane/contracts';
import { Outbox } from '@blockplane/database';
import { accessOf, serverNotFound } from './server-access.js';
import { SubuserRepository } from './subuser.repository.js';

/** Who may reach a server, and as what: the one place that answers it (see server-access.ts for the rule). */
@Injectable()
export class AccessService {
  constructor(
    private readonly em: EntityManager,
    private readonly subusers: SubuserRepository,
    private readonly outbox: Outbox,
  ) {}

  /** `servers.access`: asked by the gateway on every server-scoped request. */
  access(actor: Actor, serverId: string): Promise<ServerAccess> {
    return RequestContext.create(this.em, () => this.resolve(actor, serverId));
  }

  /** The actor's rights on the server; NOT_FOUND when they have none or it does not exist (any more). */
  async resolve(actor: Actor, serverId: string): Promise<ServerAccess> {
    const shared = await this.subusers.sharedWith(serverId, actor.userId);
    const access = shared && accessOf(actor, shared.ownerId, shared.permissions);
    if (!shared || !access) throw serverNotFound(serverId);
    return { serverId, ownerId: shared.ownerId, ...access };
  }

  /**
   * Ends every sub-user of a server being deleted or gone, in the caller's transaction, and tells
   * the gateways so they close those users' open streams.
   */
  async endSubusersOf(serverId: string): Promise<void> {
    for (const userId of await this.subusers.removeAllOf(serverId)) {
      this.outbox.stage('server.access-changed', { serverId, userId });
    }
  }
}
