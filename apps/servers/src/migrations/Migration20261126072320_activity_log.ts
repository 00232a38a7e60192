import { Migration } from '@mikro-orm/migrations';

export class Migration20261126072320_activity_log extends Migration {

  override name = 'Migration20261126072320_activity_log';

  override up(): void | Promise<void> {
    this.addSql(`create table "servers"."activity" ("id" uuid not null, "occurred_at" timestamptz(3) not null, "action" text not null, "actor_id" uuid not null, "api_key_id" uuid null, "source" text not null, "server_id" uuid null, "subject_user_id" uuid null, "details" jsonb not null, primary key ("id"));`);
    this.addSql(`create index "activity_actor_newest_index" on "servers"."activity" ("actor_id", "occurred_at" DESC, "id" DESC);`);
    this.addSql(`create index "activity_newest_index" on "servers"."activity" ("occurred_at" DESC, "id" DESC);`);
    this.addSql(`create index "activity_server_newest_index" on "servers"."activity" ("server_id", "occurred_at" DESC, "id" DESC);`);

    this.addSql(`alter table "servers"."activity" add constraint "activity_action_check" check ("action" in ('server.create', 'server.power', 'server.delete', 'subuser.create', 'subuser.update', 'subuser.delete', 'apikey.create', 'apikey.revoke', 'admin.user.update', 'admin.user.quota', 'admin.user.suspend', 'admin.user.unsuspend', 'console.command'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "servers"."activity" cascade;`);
  }

}
