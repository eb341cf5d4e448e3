import { Migration } from '@mikro-orm/migrations';

/** better-auth's tables and `task`. Snake_case columns; timestamps with millisecond precision. */
export class Migration20261125000000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "user" (
      "id" text not null primary key,
      "name" text not null,
      "email" text not null,
      "email_verified" boolean not null default false,
      "image" text null,
      "role" text not null default 'USER',
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now(),
      constraint "user_email_unique" unique ("email"));`);

    this.addSql(`create table "session" (
      "id" text not null primary key,
      "expires_at" timestamptz(3) not null,
      "token" text not null,
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now(),
      "ip_address" text null,
      "user_agent" text null,
      "user_id" text not null constraint "session_user_id_foreign" references "user" ("id") on update cascade on delete cascade,
      constraint "session_token_unique" unique ("token"));`);
    this.addSql(`create index "session_user_id_index" on "session" ("user_id");`);

    this.addSql(`create table "account" (
      "id" text not null primary key,
      "account_id" text not null,
      "provider_id" text not null,
      "user_id" text not null constraint "account_user_id_foreign" references "user" ("id") on update cascade on delete cascade,
      "access_token" text null,
      "refresh_token" text null,
      "id_token" text null,
      "access_token_expires_at" timestamptz(3) null,
      "refresh_token_expires_at" timestamptz(3) null,
      "scope" text null,
      "password" text null,
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now());`);
    this.addSql(`create index "account_user_id_index" on "account" ("user_id");`);

    this.addSql(`create table "verification" (
      "id" text not null primary key,
      "identifier" text not null,
      "value" text not null,
      "expires_at" timestamptz(3) not null,
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now());`);
    this.addSql(`create index "verification_identifier_index" on "verification" ("identifier");`);

    this.addSql(`create table "jwks" (
      "id" text not null primary key,
      "public_key" text not null,
      "private_key" text not null,
      "alg" text null,
      "crv" text null,
      "created_at" timestamptz(3) not null default now(),
      "expires_at" timestamptz(3) null);`);

    this.addSql(`create table "task" (
      "id" uuid not null default gen_random_uuid() primary key,
      "owner_id" text not null constraint "task_owner_id_foreign" references "user" ("id") on update cascade on delete cascade,
      "title" varchar(200) not null,
      "description" varchar(2000) null,
      "completed" boolean not null default false,
      "created_at" timestamptz(3) not null default now(),
      "updated_at" timestamptz(3) not null default now(),
      "version" int not null default 1,
      constraint "task_title_length" check (char_length("title") between 1 and 200));`);
    this.addSql(`create index "task_owner_created_id_index" on "task" ("owner_id", "created_at" desc, "id" desc);`);
  }

  override async down(): Promise<void> {
    for (const table of ['task', 'jwks', 'verification', 'account', 'session', 'user']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
