import { defineConfig, type EntityClass, type Options } from '@mikro-orm/postgresql';
import { ReflectMetadataProvider } from '@mikro-orm/decorators/legacy';
import { Migrator } from '@mikro-orm/migrations';
import type { DatabaseConfig } from '@blockplane/config';
import { OutboxEvent } from './outbox-event.entity.js';
import { ProcessedEvent } from './processed-event.entity.js';

export interface ServiceDatabase {
  /** The PostgreSQL schema this service owns; no other service reads it. */
  schema: string;
  entities: EntityClass<object>[];
  /** Compiled migrations (dist/migrations) and their TypeScript sources (src/migrations). */
  migrations: { path: string; pathTs: string };
}

/** Every service-owned schema: a service's migrations must never touch another's. */
const serviceSchemas = ['auth', 'servers', 'provisioner'];

export function ormOptions(config: DatabaseConfig, database: ServiceDatabase): Options {
  return defineConfig({
    clientUrl: config.url,
    schema: database.schema,
    pool: { min: 0, max: config.poolMax },
    entities: [ProcessedEvent, OutboxEvent, ...database.entities],
    metadataProvider: ReflectMetadataProvider,
    extensions: [Migrator],
    schemaGenerator: { ignoreSchema: ['public', ...serviceSchemas.filter((schema) => schema !== database.schema)] },
    allowGlobalContext: false,
    migrations: {
      path: database.migrations.path,
      pathTs: database.migrations.pathTs,
      tableName: 'mikro_orm_migrations',
      emit: 'ts',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
    },
  });
}
