import { Migration } from '@mikro-orm/migrations';

export class Migration20261126043156_inbox extends Migration {

  override name = 'Migration20261126043156_inbox';

  override up(): void | Promise<void> {
    this.addSql(`create schema if not exists "provisioner";`);
    this.addSql(`create table "provisioner"."processed_event" ("consumer" text not null, "event_id" uuid not null, "processed_at" timestamptz not null default now(), primary key ("consumer", "event_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "provisioner"."processed_event" cascade;`);

    this.addSql(`drop schema if exists "provisioner";`);
  }

}
