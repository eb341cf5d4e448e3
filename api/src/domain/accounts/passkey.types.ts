// What the passkey rules (passkeys.service.ts) need from the world: the WebAuthn ceremonies and the
// passkey table (auth/passkey-store.ts, on @simplewebauthn/server) and a way to start a session
// for a user who proved a passkey. Ceremony options and responses are WebAuthn's JSON, passed
// through untouched; the store verifies them.
import type { RequestOrigin } from './events.js';
import type { AccountUser, StartedSession } from './account.types.js';

/** A passkey as its owner sees it in the list. */
export interface PasskeyRecord {
  id: string;
  name: string;
  createdAt: Date;
  /** The last sign-in with it; null until it is used. */
  lastUsedAt: Date | null;
  /** "singleDevice" or "multiDevice" (synced by the platform, e.g. a password manager). */
  deviceType: string;
  backedUp: boolean;
}

/** Why a ceremony response was refused. */
export type PasskeyRefusal =
  /** The challenge in the response is unknown, used or expired (or was issued for another ceremony or user). */
  | 'challenge'
  /** clientDataJSON names another origin than PUBLIC_URL's. */
  | 'origin'
  /** Anything else that does not verify: RP id, signature, user presence/verification, format. */
  | 'invalid'
  /** Registration: the authenticator's credential is registered already. */
  | 'duplicate'
  /** Sign-in: no account has this credential. */
  | 'unknown';

export type PasskeyOutcome<T> = { ok: true; value: T } | { ok: false; reason: PasskeyRefusal };

/** A session a passkey sign-in started: the usual session, plus the cookie better-auth sets for it. */
export interface PasskeySession extends StartedSession {
  /** Set-Cookie lines of the web app's session cookie (better-auth's own). */
  cookies: string[];
}

export interface PasskeyStore {
  /** Registration options for the user (their passkeys excluded); the challenge is stored, single-use. */
  creationOptions(user: AccountUser): Promise<unknown>;
  /** Verifies an attestation against the user's live challenge (spent either way) and stores the passkey. */
  register(userId: string, name: string, response: unknown): Promise<PasskeyOutcome<PasskeyRecord>>;
  /** Sign-in options (no credentials listed: discoverable passkeys); the challenge is stored, single-use. */
  requestOptions(): Promise<unknown>;
  /** Verifies an assertion against a live sign-in challenge (spent either way); the passkey's owner. */
  authenticate(response: unknown): Promise<PasskeyOutcome<{ userId: string; passkeyId: string }>>;
  list(userId: string): Promise<PasskeyRecord[]>;
  /** null when the user has no passkey with that id. */
  rename(userId: string, id: string, name: string): Promise<PasskeyRecord | null>;
  /** false when the user has no passkey with that id. */
  remove(userId: string, id: string): Promise<boolean>;
  /** A new session for the user, as a password sign-in makes it (same lifetime, same cookie). */
  startSession(userId: string, origin: RequestOrigin): Promise<PasskeySession>;
}
