import { Migration } from '@mikro-orm/migrations';

/**
 * Passkeys (WebAuthn credentials) a user registered: the credential id and its public key (COSE,
 * base64url) as the authenticator created them, the signature counter, and what the list shows
 * (the user's name for it, when it was added and last used). Never a private key: the
 * authenticator keeps it. A credential id is registered once across all accounts. The ceremony
 * challenges live in the verification table (short-lived, used once).
 */
export class Migration20261201080000_passkey extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "passkey" (
      "id" uuid not null primary key,
      "user_id" text not null constraint "passkey_user_id_foreign" references "user" ("id") on update cascade on delete cascade,
      "name" text not null,
      "credential_id" text not null,
      "public_key" text not null,
      "counter" bigint not null default 0,
      "transports" text null,
      "device_type" text not null,
      "backed_up" boolean not null default false,
      "aaguid" text null,
      "created_at" timestamptz(3) not null default now(),
      "last_used_at" timestamptz(3) null);`);
    this.addSql(`alter table "passkey" add constraint "passkey_credential_id_unique" unique ("credential_id");`);
    this.addSql(`create index "passkey_user_id_index" on "passkey" ("user_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "passkey" cascade;`);
  }
}
