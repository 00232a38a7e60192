import { Migration } from '@mikro-orm/migrations';

export class Migration20261126053407_outbox extends Migration {

  override name = 'Migration20261126053407_outbox';

  override up(): void | Promise<void> {
    this.addSql(`create table "provisioner"."outbox_event" ("id" bigserial primary key, "namespace" text not null, "envelope" jsonb not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "outbox_event_namespace_id_index" on "provisioner"."outbox_event" ("namespace", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "provisioner"."outbox_event" cascade;`);
  }

}
