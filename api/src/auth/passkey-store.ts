// The passkey store: WebAuthn ceremonies on @simplewebauthn/server, the passkey table, and the
// challenges. No rules here — domain/accounts/passkeys.service.ts decides.
// - Relying party: id = PUBLIC_URL's hostname, expected origin = PUBLIC_URL's origin; a response
//   whose clientDataJSON names another origin is refused before anything else is looked at.
// - Challenges live in better-auth's verification table as `passkey-challenge:<challenge>` (the
//   challenge is random, 32 bytes, made by the library), with the ceremony and the user they were
//   issued for, for CHALLENGE_SECONDS. A response spends its challenge in one statement (delete …
//   returning) whether or not it then verifies: a challenge answers at most one response. Expired
//   rows go with the cleanup job's expired verification rows.
// - User verification is required (a passkey is then two factors: the device and its PIN or
//   biometric); attestation is "none" (we do not restrict authenticator makes).
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { SqlPool } from '../db/sql.js';
import type { AccountUser } from '../domain/accounts/account.types.js';
import type { RequestOrigin } from '../domain/accounts/events.js';
import type { PasskeyOutcome, PasskeyRecord, PasskeySession, PasskeyStore } from '../domain/accounts/passkey.types.js';
import { originHeaders } from './account-store.js';
import type { Auth } from './better-auth.js';

/** How long a ceremony's challenge can be answered (also the browser's timeout). */
export const CHALLENGE_SECONDS = 300;
const CHALLENGE_PREFIX = 'passkey-challenge:';

type Ceremony = 'register' | 'sign-in';

interface PasskeyRow {
  id: string;
  name: string;
  createdAt: Date | string;
  lastUsedAt: Date | string | null;
  deviceType: string;
  backedUp: boolean;
}

const COLUMNS = 'id, name, created_at as "createdAt", last_used_at as "lastUsedAt", device_type as "deviceType", backed_up as "backedUp"';

function record(row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.createdAt),
    lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt),
    deviceType: row.deviceType,
    backedUp: row.backedUp,
  };
}

/** The user handle a passkey stores for the account: the user id's bytes (no personal data). */
const userHandle = (userId: string) => new TextEncoder().encode(userId);

/** The challenge and origin a response's clientDataJSON claims, or null when it is not readable. */
function clientData(response: unknown): { challenge: string; origin: string } | null {
  const encoded = (response as { response?: { clientDataJSON?: unknown } } | null)?.response?.clientDataJSON;
  if (typeof encoded !== 'string' || encoded.length > 4096 || !isoBase64URL.isBase64URL(encoded)) return null;
  try {
    const parsed = JSON.parse(isoBase64URL.toUTF8String(encoded)) as { challenge?: unknown; origin?: unknown };
    if (typeof parsed.challenge !== 'string' || typeof parsed.origin !== 'string') return null;
    return { challenge: parsed.challenge, origin: parsed.origin };
  } catch {
    return null;
  }
}

export interface PasskeySettings {
  /** PUBLIC_URL: the relying party's id is its hostname, the expected origin its origin. */
  publicUrl: string;
  rpName: string;
}

export class WebAuthnPasskeyStore implements PasskeyStore {
  private readonly rpID: string;
  private readonly origin: string;

  constructor(
    private readonly auth: Auth,
    private readonly db: SqlPool,
    private readonly settings: PasskeySettings,
  ) {
    const url = new URL(settings.publicUrl);
    this.rpID = url.hostname;
    this.origin = url.origin;
  }

  private async saveChallenge(challenge: string, ceremony: Ceremony, userId?: string): Promise<void> {
    await this.db.query(
      `insert into verification (id, identifier, value, expires_at) values ($1, $2, $3, now() + make_interval(secs => $4))`,
      [randomUUID(), CHALLENGE_PREFIX + challenge, JSON.stringify({ ceremony, userId }), CHALLENGE_SECONDS],
    );
  }

  /** Spends the challenge: true when it was live and issued for this ceremony (and user). */
  private async spendChallenge(challenge: string, ceremony: Ceremony, userId?: string): Promise<boolean> {
    const { rows } = await this.db.query<{ value: string; live: boolean }>(
      `delete from verification where identifier = $1 returning value, expires_at > now() as live`,
      [CHALLENGE_PREFIX + challenge],
    );
    const row = rows[0];
    if (!row?.live) return false;
    const issued = JSON.parse(row.value) as { ceremony?: string; userId?: string };
    return issued.ceremony === ceremony && issued.userId === userId;
  }

  async creationOptions(user: AccountUser): Promise<unknown> {
    const { rows } = await this.db.query<{ credentialId: string; transports: string | null }>(
      'select credential_id as "credentialId", transports from passkey where user_id = $1',
      [user.id],
    );
    const options = await generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.rpID,
      userName: user.email,
      userDisplayName: user.name,
      userID: userHandle(user.id),
      timeout: CHALLENGE_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: rows.map((r) => ({
        id: r.credentialId,
        transports: r.transports ? (r.transports.split(',') as AuthenticatorTransport[]) : undefined,
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await this.saveChallenge(options.challenge, 'register', user.id);
    return options;
  }

  async register(userId: string, name: string, response: unknown): Promise<PasskeyOutcome<PasskeyRecord>> {
    const claimed = clientData(response);
    if (!claimed) return { ok: false, reason: 'invalid' };
    if (!(await this.spendChallenge(claimed.challenge, 'register', userId))) return { ok: false, reason: 'challenge' };
    if (claimed.origin !== this.origin) return { ok: false, reason: 'origin' };
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response: response as RegistrationResponseJSON,
        expectedChallenge: claimed.challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        requireUserVerification: true,
      });
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!verified.verified) return { ok: false, reason: 'invalid' };
    const info = verified.registrationInfo;
    const { rows } = await this.db.query<PasskeyRow>(
      `insert into passkey (id, user_id, name, credential_id, public_key, counter, transports, device_type, backed_up, aaguid)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict (credential_id) do nothing returning ${COLUMNS}`,
      [
        randomUUID(),
        userId,
        name,
        info.credential.id,
        isoBase64URL.fromBuffer(info.credential.publicKey),
        info.credential.counter,
        info.credential.transports?.length ? info.credential.transports.join(',') : null,
        info.credentialDeviceType,
        info.credentialBackedUp,
        info.aaguid,
      ],
    );
    return rows[0] ? { ok: true, value: record(rows[0]) } : { ok: false, reason: 'duplicate' };
  }

  async requestOptions(): Promise<unknown> {
    const options = await generateAuthenticationOptions({
      rpID: this.rpID,
      timeout: CHALLENGE_SECONDS * 1000,
      userVerification: 'required',
    });
    await this.saveChallenge(options.challenge, 'sign-in');
    return options;
  }

  async authenticate(response: unknown): Promise<PasskeyOutcome<{ userId: string; passkeyId: string }>> {
    const claimed = clientData(response);
    const credentialId = (response as { id?: unknown } | null)?.id;
    if (!claimed || typeof credentialId !== 'string' || credentialId.length > 1400) return { ok: false, reason: 'invalid' };
    if (!(await this.spendChallenge(claimed.challenge, 'sign-in'))) return { ok: false, reason: 'challenge' };
    if (claimed.origin !== this.origin) return { ok: false, reason: 'origin' };
    const { rows } = await this.db.query<{ id: string; userId: string; publicKey: string; counter: string | number; transports: string | null }>(
      'select id, user_id as "userId", public_key as "publicKey", counter, transports from passkey where credential_id = $1',
      [credentialId],
    );
    const passkey = rows[0];
    if (!passkey) return { ok: false, reason: 'unknown' };
    // A discoverable credential names its account; it must be the one the credential belongs to.
    const handle = (response as AuthenticationResponseJSON).response?.userHandle;
    if (handle !== undefined && handle !== isoBase64URL.fromBuffer(userHandle(passkey.userId))) return { ok: false, reason: 'invalid' };
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response: response as AuthenticationResponseJSON,
        expectedChallenge: claimed.challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpID,
        requireUserVerification: true,
        credential: {
          id: credentialId,
          publicKey: isoBase64URL.toBuffer(passkey.publicKey),
          counter: Number(passkey.counter),
          transports: passkey.transports ? (passkey.transports.split(',') as AuthenticatorTransport[]) : undefined,
        },
      });
    } catch {
      // Includes a signature counter that went backwards (a cloned authenticator).
      return { ok: false, reason: 'invalid' };
    }
    if (!verified.verified) return { ok: false, reason: 'invalid' };
    await this.db.query('update passkey set counter = $2, backed_up = $3, last_used_at = now() where id = $1', [
      passkey.id,
      verified.authenticationInfo.newCounter,
      verified.authenticationInfo.credentialBackedUp,
    ]);
    return { ok: true, value: { userId: passkey.userId, passkeyId: passkey.id } };
  }

  async list(userId: string): Promise<PasskeyRecord[]> {
    const { rows } = await this.db.query<PasskeyRow>(`select ${COLUMNS} from passkey where user_id = $1 order by created_at desc, id desc`, [userId]);
    return rows.map(record);
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<PasskeyRow>(`update passkey set name = $3 where id = $1 and user_id = $2 returning ${COLUMNS}`, [id, userId, name]);
    return rows[0] ? record(rows[0]) : null;
  }

  async remove(userId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { rows } = await this.db.query<{ id: string }>('delete from passkey where id = $1 and user_id = $2 returning id', [id, userId]);
    return rows.length > 0;
  }

  async startSession(userId: string, origin: RequestOrigin): Promise<PasskeySession> {
    const { headers, response } = await this.auth.api.startPasskeySession({ body: { userId }, headers: originHeaders(origin), returnHeaders: true });
    const { rows } = await this.db.query<AccountUser>(
      'select id, email, name, created_at as "createdAt", email_verified as "emailVerified" from "user" where id = $1',
      [userId],
    );
    if (!rows[0]) throw new Error('the passkey owner was not found');
    return { sessionId: response.sessionId, sessionToken: response.token, user: rows[0], cookies: headers.getSetCookie() };
  }
}

/** A passkey id is a UUID; anything else cannot name one (and would make PostgreSQL refuse the query). */
function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
