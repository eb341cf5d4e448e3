import { Migration } from '@mikro-orm/migrations';

/**
 * How a SIGN_IN event was made (password, passkey, totp, backup_code), so the owner's activity list
 * can say it. Null for other events and for sign-ins stored before the column existed.
 */
export class Migration20261201100000_sign_in_method extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "security_event" add column "method" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "security_event" drop column if exists "method";`);
  }
}
