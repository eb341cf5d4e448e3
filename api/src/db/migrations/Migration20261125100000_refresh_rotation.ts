import { Migration } from '@mikro-orm/migrations';

/**
 * Refresh-token rotation: each refresh token that was exchanged is remembered (by SHA-256) with
 * the session that replaced it, so presenting it again is detected as reuse.
 */
export class Migration20261125100000_refresh_rotation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "refresh_rotation" (
      "token_hash" text not null primary key,
      "user_id" text not null constraint "refresh_rotation_user_id_foreign" references "user" ("id") on update cascade on delete cascade,
      "successor_session_id" text not null,
      "created_at" timestamptz(3) not null default now());`);
    this.addSql(`create index "refresh_rotation_successor_index" on "refresh_rotation" ("successor_session_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "refresh_rotation" cascade;`);
  }
}
