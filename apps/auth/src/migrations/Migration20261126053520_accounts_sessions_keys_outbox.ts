import { Migration } from '@mikro-orm/migrations';

export class Migration20261126053520_accounts_sessions_keys_outbox extends Migration {

  override name = 'Migration20261126053520_accounts_sessions_keys_outbox';

  override up(): void | Promise<void> {
    this.addSql(`create table "auth"."outbox_event" ("id" bigserial primary key, "namespace" text not null, "envelope" jsonb not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "outbox_event_namespace_id_index" on "auth"."outbox_event" ("namespace", "id");`);

    this.addSql(`create table "auth"."signing_key" ("kid" text not null, "public_jwk" jsonb not null, "private_jwk" jsonb not null, "created_at" timestamptz not null, primary key ("kid"));`);

    this.addSql(`create table "auth"."user_account" ("id" uuid not null, "email" text not null, "password_hash" text not null, "role" text not null default 'user', "max_servers" int not null, "max_cpu_cores" double precision not null, "max_memory_mb" int not null, "max_disk_gb" int not null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "auth"."user_account" add constraint "user_account_email_unique" unique ("email");`);

    this.addSql(`create table "auth"."refresh_token" ("id" uuid not null, "token_hash" text not null, "family_id" uuid not null, "user_id" uuid not null, "expires_at" timestamptz not null, "replaced_by" uuid null, "revoked_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"));`);
    this.addSql(`alter table "auth"."refresh_token" add constraint "refresh_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "refresh_token_family_id_index" on "auth"."refresh_token" ("family_id");`);

    this.addSql(`alter table "auth"."user_account" add constraint "user_account_role_check" check ("role" in ('user', 'admin'));`);

    this.addSql(`alter table "auth"."refresh_token" add constraint "refresh_token_user_id_foreign" foreign key ("user_id") references "auth"."user_account" ("id") on delete cascade;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "auth"."refresh_token" drop constraint "refresh_token_user_id_foreign";`);

    this.addSql(`drop table if exists "auth"."outbox_event" cascade;`);
    this.addSql(`drop table if exists "auth"."signing_key" cascade;`);
    this.addSql(`drop table if exists "auth"."user_account" cascade;`);
    this.addSql(`drop table if exists "auth"."refresh_token" cascade;`);
  }

}
