import { Migration } from '@mikro-orm/migrations';

export class Migration20261126072115_access_control extends Migration {

  override name = 'Migration20261126072115_access_control';

  override up(): void | Promise<void> {
    this.addSql(`create table "auth"."rate_limit" ("key" text not null, "hits" int not null, "resets_at" timestamptz not null, primary key ("key"));`);
    this.addSql(`create index "rate_limit_resets_at_index" on "auth"."rate_limit" ("resets_at");`);

    this.addSql(`create table "auth"."password_reset_token" ("id" uuid not null, "token_hash" text not null, "user_id" uuid not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "auth"."password_reset_token" add constraint "password_reset_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "password_reset_token_user_id_index" on "auth"."password_reset_token" ("user_id");`);
    this.addSql(`create index "password_reset_token_expires_at_index" on "auth"."password_reset_token" ("expires_at");`);

    this.addSql(`create table "auth"."api_key" ("id" uuid not null, "user_id" uuid not null, "name" text not null, "prefix" text not null, "secret_hash" text not null, "permissions" jsonb not null, "allowed_ips" jsonb not null, "expires_at" timestamptz null, "last_used_at" timestamptz null, "last_used_from" text null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`create index "api_key_user_id_index" on "auth"."api_key" ("user_id");`);
    this.addSql(`alter table "auth"."api_key" add constraint "api_key_prefix_unique" unique ("prefix");`);

    this.addSql(`alter table "auth"."user_account" add "status" text not null default 'active', add "suspended_reason" text null;`);
    this.addSql(`alter table "auth"."user_account" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);
    this.addSql(`create index "user_account_created_at_id_index" on "auth"."user_account" ("created_at", "id");`);
    this.addSql(`alter table "auth"."user_account" add constraint "user_account_status_check" check ("status" in ('active', 'suspended'));`);

    this.addSql(`create index "refresh_token_user_id_index" on "auth"."refresh_token" ("user_id");`);

    this.addSql(`alter table "auth"."password_reset_token" add constraint "password_reset_token_user_id_foreign" foreign key ("user_id") references "auth"."user_account" ("id") on delete cascade;`);

    this.addSql(`alter table "auth"."api_key" add constraint "api_key_user_id_foreign" foreign key ("user_id") references "auth"."user_account" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "auth"."rate_limit" cascade;`);
    this.addSql(`drop table if exists "auth"."password_reset_token" cascade;`);
    this.addSql(`drop table if exists "auth"."api_key" cascade;`);

    this.addSql(`drop index "auth"."refresh_token_user_id_index";`);

    this.addSql(`drop index "auth"."user_account_created_at_id_index";`);
    this.addSql(`alter table "auth"."user_account" drop constraint "user_account_status_check";`);
    this.addSql(`alter table "auth"."user_account" drop column "status", drop column "suspended_reason";`);
    this.addSql(`alter table "auth"."user_account" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);
  }

}
