import { Migration } from '@mikro-orm/migrations';

export class Migration20261126081006_activity_action_text extends Migration {

  override name = 'Migration20261126081006_activity_action_text';

  override up(): void | Promise<void> {
    this.addSql(`alter table "servers"."activity" drop constraint "activity_action_check";`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "servers"."activity" add constraint "activity_action_check" check ("action" in ('server.create', 'server.power', 'server.delete', 'subuser.create', 'subuser.update', 'subuser.delete', 'apikey.create', 'apikey.revoke', 'admin.user.update', 'admin.user.quota', 'admin.user.suspend', 'admin.user.unsuspend', 'console.command'));`);
  }

}
