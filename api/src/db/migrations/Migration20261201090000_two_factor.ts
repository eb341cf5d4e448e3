import { Migration } from '@mikro-orm/migrations';

/**
 * better-auth's twoFactor plugin (authenticator-app second factor): the user's flag and one row per
 * user with the TOTP secret (encrypted with BETTER_AUTH_SECRET by better-auth) and the backup codes
 * (SHA-256 hashes only, never the codes). `last_totp_step` is ours: the time step of the last code
 * accepted, so a code cannot be used twice (replay). The failure counter and lock are better-auth's
 * account-level lockout.
 */
export class Migration20261201090000_two_factor extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "user" add column "two_factor_enabled" boolean not null default false;`);
    this.addSql(`create table "two_factor" (
      "id" text not null primary key,
      "secret" text not null,
      "backup_codes" text not null,
      "user_id" text not null constraint "two_factor_user_id_foreign" references "user" ("id") on update cascade on delete cascade,
      "verified" boolean not null default true,
      "failed_verification_count" integer not null default 0,
      "locked_until" timestamptz(3) null,
      "last_totp_step" bigint null,
      constraint "two_factor_user_id_unique" unique ("user_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "two_factor" cascade;`);
    this.addSql(`alter table "user" drop column if exists "two_factor_enabled";`);
  }
}
