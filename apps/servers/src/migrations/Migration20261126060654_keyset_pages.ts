import { Migration } from '@mikro-orm/migrations';

export class Migration20261126060654_keyset_pages extends Migration {

  override name = 'Migration20261126060654_keyset_pages';

  override up(): void | Promise<void> {
    this.addSql(`drop index "servers"."game_server_owner_id_created_at_index";`);
    this.addSql(`alter table "servers"."game_server" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);
    this.addSql(`create index "game_server_created_at_id_index" on "servers"."game_server" ("created_at", "id");`);
    this.addSql(`create index "game_server_owner_id_created_at_id_index" on "servers"."game_server" ("owner_id", "created_at", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "servers"."game_server_created_at_id_index";`);
    this.addSql(`drop index "servers"."game_server_owner_id_created_at_id_index";`);
    this.addSql(`alter table "servers"."game_server" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);
    this.addSql(`create index "game_server_owner_id_created_at_index" on "servers"."game_server" ("owner_id", "created_at");`);
  }

}
