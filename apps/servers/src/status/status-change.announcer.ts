import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ChangeSetType, type EventSubscriber, type FlushEventArgs } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { OutboxEvent, OutboxRelay } from '@blockplane/database';
import { createEnvelope, NatsConnection } from '@blockplane/messaging';
import { GameServer } from '../servers/game-server.entity.js';

const written = new Set([ChangeSetType.CREATE, ChangeSetType.UPDATE]);

/**
 * Stages `server.status-changed` in the very flush that writes a new status or reason, whichever code made
 * it (a command, the provisioner's observation, a suspension): the event commits with the change or not at
 * all, and no new transition can forget to announce itself. The console relays it to the server's viewers.
 */
@Injectable()
export class StatusChangeAnnouncer implements EventSubscriber<GameServer>, OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly nats: NatsConnection,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    // Forks share the root's event manager, so every unit of work of the service passes here.
    this.em.getEventManager().registerSubscriber(this);
  }

  getSubscribedEntities(): [typeof GameServer] {
    return [GameServer];
  }

  onFlush({ em, uow }: FlushEventArgs): void {
    const at = new Date().toISOString();
    let staged = false;
    for (const change of uow.getChangeSets()) {
      if (!(change.entity instanceof GameServer) || !written.has(change.type)) continue;
      if (!('status' in change.payload) && !('statusReason' in change.payload)) continue;
      const { id: serverId, status, statusReason: reason } = change.entity;
      const envelope = createEnvelope('server.status-changed', { serverId, status, reason, at });
      // Created inside the flush, so it needs its own change set to be written by it.
      uow.computeChangeSet(em.create(OutboxEvent, { namespace: this.nats.namespace, envelope }));
      staged = true;
    }
    if (staged) this.relay.soon();
  }
}
