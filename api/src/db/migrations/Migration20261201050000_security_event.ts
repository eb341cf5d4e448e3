import { Migration } from '@mikro-orm/migrations';

/**
 * Security activity the user can see (sign-ins, password and e-mail changes, revoked sessions),
 * kept 90 days by the cleanup job. Only coarse origins: the client address cut to its /24 (IPv4)
 * or /48 (IPv6) and a device name parsed from the user agent; never a token or a full address.
 * Indexed for the owner's keyset-paged list (newest first) and for the cleanup by age.
 */
export class Migration20261201050000_security_event extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "security_event" (
      "id" uuid not null primary key,
      "user_id" text not null constraint "security_event_user_id_foreign" references "user" ("id") on update cascade on delete cascade,
      "type" text not null,
      "created_at" timestamptz(3) not null default now(),
      "ip" text null,
      "device" text null);`);
    this.addSql(`create index "security_event_user_created_id_index" on "security_event" ("user_id", "created_at" desc, "id" desc);`);
    this.addSql(`create index "security_event_created_at_index" on "security_event" ("created_at");`);
    // The cleanup job finds expired sessions and verification tokens by expiry.
    this.addSql(`create index "session_expires_at_index" on "session" ("expires_at");`);
    this.addSql(`create index "verification_expires_at_index" on "verification" ("expires_at");`);
    this.addSql(`create index "refresh_rotation_created_at_index" on "refresh_rotation" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "refresh_rotation_created_at_index";`);
    this.addSql(`drop index if exists "verification_expires_at_index";`);
    this.addSql(`drop index if exists "session_expires_at_index";`);
    this.addSql(`drop table if exists "security_event" cascade;`);
  }
}
