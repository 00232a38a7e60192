import { Migration } from '@mikro-orm/migrations';

export class Migration20261126072307_access_control extends Migration {

  override name = 'Migration20261126072307_access_control';

  override up(): void | Promise<void> {
    this.addSql(`create table "servers"."account" ("user_id" uuid not null, "email" text null, "role" text not null default 'user', "role_set_at" timestamptz null, "suspended" boolean not null default false, "suspension_set_at" timestamptz null, primary key ("user_id"));`);
    this.addSql(`alter table "servers"."account" add constraint "account_email_unique" unique ("email");`);

    this.addSql(`create table "servers"."subuser" ("server_id" uuid not null, "user_id" uuid not null, "permissions" text[] not null, "server_created_at" timestamptz(3) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("server_id", "user_id"));`);
    this.addSql(`create index "subuser_user_id_server_created_at_server_id_index" on "servers"."subuser" ("user_id", "server_created_at", "server_id");`);

    this.addSql(`drop index "servers"."game_server_created_at_id_index";`);
    this.addSql(`drop index "servers"."game_server_owner_id_created_at_id_index";`);
    this.addSql(`create index "game_server_created_at_id_index" on "servers"."game_server" ("created_at", "id") where "status" != 'deleted';`);
    this.addSql(`create index "game_server_owner_id_created_at_id_index" on "servers"."game_server" ("owner_id", "created_at", "id") where "status" != 'deleted';`);

    // Added by hand to the generated diff: roles move to the account table, their rows kept.
    this.addSql(`insert into "servers"."account" ("user_id", "role") select "user_id", "role" from "servers"."owner_quota";`);
    this.addSql(`alter table "servers"."owner_quota" drop constraint "owner_quota_role_check";`);
    this.addSql(`alter table "servers"."owner_quota" drop column "role";`);
    this.addSql(`alter table "servers"."owner_quota" add "used_servers" int not null default 0, add "used_cpu_cores" double precision not null default 0, add "used_memory_mb" int not null default 0, add "used_disk_gb" int not null default 0;`);
    // Added by hand: the running totals start from what the servers claim now (the rule of src/quota/claim.ts).
    this.addSql(`update "servers"."owner_quota" q set "used_servers" = c."servers", "used_cpu_cores" = c."cpu_cores", "used_memory_mb" = c."memory_mb", "used_disk_gb" = c."disk_gb" from (select "owner_id", count(*) as "servers", sum("disk_gb") as "disk_gb", coalesce(sum("cpu_cores") filter (where "desired_state" = 'running'), 0) as "cpu_cores", coalesce(sum("memory_mb") filter (where "desired_state" = 'running'), 0) as "memory_mb" from "servers"."game_server" where "desired_state" <> 'deleted' and "status" <> 'deleted' group by "owner_id") c where c."owner_id" = q."user_id";`);

    this.addSql(`alter table "servers"."account" add constraint "account_role_check" check ("role" in ('user', 'admin'));`);
  }

  override down(): void | Promise<void> {
    // Reordered by hand: roles go back to owner_quota before the account table is dropped.
    this.addSql(`alter table "servers"."owner_quota" add "role" text not null default 'user';`);
    this.addSql(`update "servers"."owner_quota" q set "role" = a."role" from "servers"."account" a where a."user_id" = q."user_id";`);
    this.addSql(`drop table if exists "servers"."account" cascade;`);
    this.addSql(`drop table if exists "servers"."subuser" cascade;`);

    this.addSql(`drop index "servers"."game_server_created_at_id_index";`);
    this.addSql(`drop index "servers"."game_server_owner_id_created_at_id_index";`);
    this.addSql(`create index "game_server_created_at_id_index" on "servers"."game_server" ("created_at", "id");`);
    this.addSql(`create index "game_server_owner_id_created_at_id_index" on "servers"."game_server" ("owner_id", "created_at", "id");`);

    this.addSql(`alter table "servers"."owner_quota" drop column "used_servers", drop column "used_cpu_cores", drop column "used_memory_mb", drop column "used_disk_gb";`);
    this.addSql(`alter table "servers"."owner_quota" add constraint "owner_quota_role_check" check ("role" in ('user', 'admin'));`);
  }

}
