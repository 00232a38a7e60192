import { Injectable } from '@nestjs/common';
import { type Actor, DomainError, type Permission } from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

/**
 * The caller's rights on a server, from the servers service (which owns them), checked on every operation:
 * the gateway declares permissions too, but a file operation is never done on its word alone.
 */
@Injectable()
export class ServerAccess {
  constructor(private readonly rpc: RpcClient) {}

  /** Resolves with every permission held when at least one of `anyOf` is; FORBIDDEN otherwise. */
  async require(actor: Actor, serverId: string, ...anyOf: Permission[]): Promise<ReadonlySet<Permission>> {
    const access = await this.rpc.request('servers.access', { actor, serverId });
    const held = new Set(access.permissions);
    if (!anyOf.some((permission) => held.has(permission))) {
      throw new DomainError('FORBIDDEN', `this needs the ${anyOf.join(' or ')} permission on the server`);
    }
    return held;
  }
}
