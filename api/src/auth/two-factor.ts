// The second factor (authenticator app + backup codes) on better-auth's twoFactor plugin, with what
// it lacks added here: backup codes stored only as SHA-256 hashes, a TOTP code accepted once (the
// last accepted time step is remembered per user), no "trust this device", and a 5-minute sign-in
// challenge whose identifier is stored hashed. Enrolment, confirmation, disabling and new backup
// codes are ours (BetterAuthTwoFactorStore), called by the account service; better-auth's own
// routes for those are not reachable over HTTP. See docs/decisions/021-second-factor.md.
import { createHash, randomUUID } from 'node:crypto';
import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { generateRandomString, symmetricDecrypt, symmetricEncrypt } from 'better-auth/crypto';
import { TWO_FACTOR_ERROR_CODES, twoFactor } from 'better-auth/plugins';
import { Secret, TOTP } from 'otpauth';
import type { SqlPool } from '../db/sql.js';
import type { SecondFactorProof, TwoFactorStore } from '../domain/accounts/account.types.js';
import type { Auth } from './better-auth.js';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Accepted clock skew, in time steps either side of now. */
export const TOTP_WINDOW = 1;
/** How long a sign-in waits for its second factor. */
export const CHALLENGE_SECONDS = 5 * 60;
/** Wrong codes a single sign-in challenge takes before it dies (better-auth's own count). */
export const CHALLENGE_ATTEMPTS = 5;
export const BACKUP_CODE_COUNT = 10;
/** Prefix of a sign-in challenge's identifier in the verification table (stored hashed). */
export const CHALLENGE_PREFIX = '2fa-';

/** snake_case names of the plugin's model and fields, as created by db/migrations. */
const TWO_FACTOR_SCHEMA = {
  user: { fields: { twoFactorEnabled: 'two_factor_enabled' } },
  twoFactor: {
    modelName: 'two_factor',
    fields: {
      backupCodes: 'backup_codes',
      userId: 'user_id',
      failedVerificationCount: 'failed_verification_count',
      lockedUntil: 'locked_until',
    },
  },
};

const HASHED = 'sha256:';

/** A backup code as it is stored (case and surrounding spaces ignored): its SHA-256 (the codes are random, ≈ 52 bits each). */
export function hashBackupCode(code: string): string {
  return HASHED + createHash('sha256').update(code.trim().toLowerCase()).digest('base64url');
}

/** Ten fresh backup codes, `xxxxx-xxxxx` (better-auth's format), and what is stored of them. */
function newBackupCodes(): { codes: string[]; stored: string } {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => {
    const raw = generateRandomString(10, 'a-z', '0-9');
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  return { codes, stored: JSON.stringify(codes.map(hashBackupCode)) };
}

/** better-auth's identifier hashing for the verification rows of a sign-in challenge. */
export const challengeIdentifierStorage = {
  [CHALLENGE_PREFIX]: { hash: async (identifier: string) => CHALLENGE_PREFIX + createHash('sha256').update(identifier).digest('base64url') },
};

function totpFor(secret: string, label = '', issuer = ''): TOTP {
  // better-auth uses the secret's UTF-8 bytes as the HMAC key.
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: new Secret({ buffer: new TextEncoder().encode(secret).buffer as ArrayBuffer }) });
}

type SecretKey = Parameters<typeof symmetricDecrypt>[0]['key'];

/**
 * Whether `code` is the user's TOTP code now (±1 step), accepted at most once: the step it belongs
 * to must be later than the last one accepted, and is remembered in the same statement (two
 * requests racing with one code: one wins).
 */
async function claimTotp(pool: SqlPool, key: SecretKey, userId: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const { rows } = await pool.query<{ secret: string }>('select secret from two_factor where user_id = $1', [userId]);
  if (!rows[0]) return false;
  const totp = totpFor(await symmetricDecrypt({ key, data: rows[0].secret }));
  const now = Date.now();
  const delta = totp.validate({ token: code, window: TOTP_WINDOW, timestamp: now });
  if (delta === null) return false;
  const step = Math.floor(now / 1000 / TOTP_PERIOD_SECONDS) + delta;
  const claimed = await pool.query('update two_factor set last_totp_step = $2 where user_id = $1 and (last_totp_step is null or last_totp_step < $2) returning id', [userId, step]);
  return claimed.rows.length === 1;
}

/** Uses a backup code up (compare-and-set on the stored list); false when it is not one of the user's. */
async function spendBackupCode(pool: SqlPool, userId: string, code: string): Promise<boolean> {
  const { rows } = await pool.query<{ backupCodes: string }>('select backup_codes as "backupCodes" from two_factor where user_id = $1 and verified', [userId]);
  if (!rows[0]) return false;
  const hashes = JSON.parse(rows[0].backupCodes) as string[];
  const hash = hashBackupCode(code);
  if (!hashes.includes(hash)) return false;
  const left = JSON.stringify(hashes.filter((h) => h !== hash));
  const spent = await pool.query('update two_factor set backup_codes = $3 where user_id = $1 and backup_codes = $2 returning id', [userId, rows[0].backupCodes, left]);
  return spent.rows.length === 1;
}

const VERIFY_TOTP = '/two-factor/verify-totp';
const VERIFY_BACKUP_CODE = '/two-factor/verify-backup-code';

/**
 * Our rules in front of better-auth's two verification routes (cookie door and POST
 * /api/auth/login/2fa alike): only a sign-in challenge is answered; a TOTP code must be claimable
 * (replay, ±1 step) — else better-auth sees an empty code and counts a wrong attempt; a backup code
 * is looked up by its hash; `trustDevice` and `disableSession` are forced off (no "remember this
 * device": every password sign-in asks for the second factor).
 */
function secondFactorRules(pool: SqlPool): BetterAuthPlugin {
  return {
    id: 'taskgate-second-factor',
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === VERIFY_TOTP || ctx.path === VERIFY_BACKUP_CODE,
          handler: createAuthMiddleware(async (ctx) => {
            const cookie = ctx.context.createAuthCookie('two_factor');
            const identifier = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
            const challenge = identifier ? await ctx.context.internalAdapter.findVerificationValue(identifier) : null;
            if (!challenge || new Date(challenge.expiresAt).getTime() <= Date.now()) {
              throw APIError.from('UNAUTHORIZED', TWO_FACTOR_ERROR_CODES.INVALID_TWO_FACTOR_COOKIE);
            }
            // A challenge out of attempts: better-auth ends it; the code is not spent on it.
            const attempts = await ctx.context.internalAdapter.findVerificationValue(`${CHALLENGE_PREFIX}attempts-${identifier}`);
            if (!attempts || Number(attempts.value) >= CHALLENGE_ATTEMPTS) return { context: { body: { code: '', trustDevice: false, disableSession: false } } };
            const raw = (ctx.body as { code?: unknown } | undefined)?.code;
            const code = typeof raw === 'string' ? raw.trim() : '';
            if (ctx.path === VERIFY_TOTP) {
              const ok = await claimTotp(pool, ctx.context.secretConfig as SecretKey, challenge.value, code);
              return { context: { body: { code: ok ? code : '', trustDevice: false } } };
            }
            return { context: { body: { code: hashBackupCode(code), trustDevice: false, disableSession: false } } };
          }),
        },
      ],
    },
  };
}

/** The plugins of the second factor, for createAuth's `plugins`. */
export function twoFactorPlugins(pool: SqlPool, issuer: string) {
  return [
    twoFactor({
      issuer,
      totpOptions: { period: TOTP_PERIOD_SECONDS, digits: TOTP_DIGITS },
      backupCodeOptions: {
        amount: BACKUP_CODE_COUNT,
        // Hashes only: whatever better-auth writes (the list left after a code is used) is hashed.
        storeBackupCodes: {
          encrypt: async (json: string) => JSON.stringify((JSON.parse(json) as string[]).map((c) => (c.startsWith(HASHED) ? c : hashBackupCode(c)))),
          decrypt: async (stored: string) => stored,
        },
      },
      twoFactorCookieMaxAge: CHALLENGE_SECONDS,
      accountLockout: { enabled: true, maxFailedAttempts: 10, durationSeconds: 15 * 60 },
      schema: TWO_FACTOR_SCHEMA as never,
    }),
    secondFactorRules(pool),
  ] as const;
}

/** Enrolment and the checks the account service makes itself (password reset), over SQL and better-auth's crypto. */
export class BetterAuthTwoFactorStore implements TwoFactorStore {
  constructor(
    private readonly auth: Auth,
    private readonly pool: SqlPool,
    private readonly issuer: string,
  ) {}

  private async key(): Promise<SecretKey> {
    return (await this.auth.$context).secretConfig as SecretKey;
  }

  async isEnabled(userId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ on: boolean }>('select two_factor_enabled as "on" from "user" where id = $1', [userId]);
    return rows[0]?.on === true;
  }

  /** A new secret, not in force until confirmed; replaces an unconfirmed one. */
  async begin(userId: string, email: string): Promise<{ otpauthUri: string; secret: string }> {
    const secret = generateRandomString(32);
    const encrypted = await symmetricEncrypt({ key: await this.key(), data: secret });
    await this.pool.query(
      `insert into two_factor (id, secret, backup_codes, user_id, verified) values ($1, $2, '[]', $3, false)
       on conflict (user_id) do update set secret = excluded.secret, backup_codes = '[]', verified = false, last_totp_step = null, failed_verification_count = 0, locked_until = null`,
      [randomUUID(), encrypted, userId],
    );
    const totp = totpFor(secret, email, this.issuer);
    return { otpauthUri: totp.toString(), secret: totp.secret.base32 };
  }

  /** Whether an enrolment waits for its first code. */
  async isPending(userId: string): Promise<boolean> {
    const { rows } = await this.pool.query('select 1 from two_factor where user_id = $1 and not verified', [userId]);
    return rows.length === 1;
  }

  /** The first code proves the app has the secret: on, with ten new backup codes (returned once). */
  async confirm(userId: string, code: string): Promise<string[] | null> {
    if (!(await claimTotp(this.pool, await this.key(), userId, code.trim()))) return null;
    const { codes, stored } = newBackupCodes();
    await this.pool.query('update two_factor set verified = true, backup_codes = $2, failed_verification_count = 0, locked_until = null where user_id = $1', [userId, stored]);
    await this.pool.query('update "user" set two_factor_enabled = true, updated_at = now() where id = $1', [userId]);
    return codes;
  }

  async disable(userId: string): Promise<void> {
    await this.pool.query('delete from two_factor where user_id = $1', [userId]);
    await this.pool.query('update "user" set two_factor_enabled = false, updated_at = now() where id = $1', [userId]);
  }

  /** Ten new backup codes; the old ones die. */
  async replaceBackupCodes(userId: string): Promise<string[]> {
    const { codes, stored } = newBackupCodes();
    await this.pool.query('update two_factor set backup_codes = $2 where user_id = $1 and verified', [userId, stored]);
    return codes;
  }

  /** A TOTP code (once) or a backup code (used up). */
  async check(userId: string, proof: SecondFactorProof): Promise<boolean> {
    if ('code' in proof) return claimTotp(this.pool, await this.key(), userId, proof.code.trim());
    return spendBackupCode(this.pool, userId, proof.backupCode);
  }
}
