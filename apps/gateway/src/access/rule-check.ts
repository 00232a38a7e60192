import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type ServerAccess } from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { authorizeOnServer, refuseApiKey, requireAdmin, resolveNeed } from './access-policy.js';
import type { AccessRule } from './access-rule.js';

/** What a rule is checked against: the server a server rule names, and the request's body (a by-field need). */
export interface RuleTarget {
  serverId?: string | undefined;
  body: unknown;
}

/**
 * Checks a declared rule for an authenticated caller: the one check of routes (the access guard) and of
 * socket events (the console socket). A server the caller cannot reach is NOT_FOUND from the servers
 * service; a missing permission FORBIDDEN naming it. Answers the caller's rights on a server rule's server.
 */
@Injectable()
export class RuleCheck {
  constructor(private readonly rpc: RpcClient) {}

  async check(rule: AccessRule, actor: Actor, { serverId, body }: RuleTarget): Promise<ServerAccess | undefined> {
    switch (rule.kind) {
      case 'public':
        return undefined;
      case 'signed-in':
        if (!rule.apiKeys) refuseApiKey(actor);
        return undefined;
      case 'admin':
        requireAdmin(actor);
        return undefined;
      case 'server': {
        if (serverId === undefined) throw new DomainError('INTERNAL', 'a server rule was checked without a server');
        // NOT_FOUND passes through: a server the caller has no access to does not exist for them.
        const access = await this.rpc.request('servers.access', { actor, serverId });
        authorizeOnServer(resolveNeed(rule.need, body), actor, access);
        return access;
      }
    }
  }
}
