import { Migration } from '@mikro-orm/migrations';

export class Migration20261126053550_servers_and_quotas extends Migration {

  override name = 'Migration20261126053550_servers_and_quotas';

  override up(): void | Promise<void> {
    this.addSql(`create table "servers"."game_server" ("id" uuid not null, "owner_id" uuid not null, "name" text not null, "type" text not null, "version" text not null, "plan" text not null, "cpu_cores" double precision not null, "memory_mb" int not null, "disk_gb" int not null, "desired_state" text not null, "status" text not null, "status_reason" text null, "address" text null, "last_observed_at" timestamptz null, "first_running_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "game_server_owner_id_created_at_index" on "servers"."game_server" ("owner_id", "created_at");`);

    this.addSql(`create table "servers"."owner_quota" ("user_id" uuid not null, "max_servers" int not null, "max_cpu_cores" double precision not null, "max_memory_mb" int not null, "max_disk_gb" int not null, "role" text not null default 'user', "quota_set_at" timestamptz null, primary key ("user_id"));`);

    this.addSql(`alter table "servers"."game_server" add constraint "game_server_type_check" check ("type" in ('vanilla', 'paper', 'spigot', 'forge', 'fabric'));`);
    this.addSql(`alter table "servers"."game_server" add constraint "game_server_desired_state_check" check ("desired_state" in ('running', 'stopped', 'deleted'));`);
    this.addSql(`alter table "servers"."game_server" add constraint "game_server_status_check" check ("status" in ('creating', 'provisioning', 'starting', 'running', 'stopping', 'stopped', 'error', 'deleting', 'deleted'));`);

    this.addSql(`alter table "servers"."owner_quota" add constraint "owner_quota_role_check" check ("role" in ('user', 'admin'));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "servers"."game_server" cascade;`);
    this.addSql(`drop table if exists "servers"."owner_quota" cascade;`);
  }

}
