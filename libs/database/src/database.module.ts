import { type DynamicModule, Module, type OnModuleInit } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/postgresql';
import type { DatabaseConfig } from '@blockplane/config';
import { INBOX_STORE } from '@blockplane/messaging';
import { Readiness } from '@blockplane/observability';
import { ormOptions, type ServiceDatabase } from './orm-options.js';
import { Outbox } from './outbox.js';
import { OutboxRelay } from './outbox-relay.js';
import { PostgresInboxStore } from './postgres-inbox.store.js';

@Module({})
export class DatabaseModule implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    private readonly readiness: Readiness,
  ) {}

  static forRoot(config: DatabaseConfig, database: ServiceDatabase): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [MikroOrmModule.forRoot(ormOptions(config, database))],
      providers: [{ provide: INBOX_STORE, useClass: PostgresInboxStore }, OutboxRelay, Outbox],
      exports: [INBOX_STORE, Outbox, OutboxRelay],
    };
  }

  onModuleInit(): void {
    this.readiness.register('postgres', async () => {
      await this.orm.em.getConnection().execute('select 1');
    });
  }
}
