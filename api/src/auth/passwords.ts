// Password policy and hashing (ASVS 5.0 6.2.x / OWASP password storage):
// - the policy of @taskgate/common/password (the web form applies the same): NFKC-normalised,
//   8–128 characters, and a zxcvbn-ts strength score of at least 3 given the account's own e-mail
//   and name; the estimate runs in a worker thread that starts on demand and exits when idle;
// - argon2id, m = 19 MiB, t = 2, p = 1 (OWASP's minimum), at most HASH_CONCURRENCY at a time so
//   logins cannot take every libuv thread from request handling;
// - hashes made by better-auth's default scrypt are still verified, and the login that proves the
//   password replaces them with argon2id (see better-auth.ts).
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { verifyPassword as verifyLegacyScrypt } from 'better-auth/crypto';
import { Piscina } from 'piscina';
import { PASSWORD_MAX, PASSWORD_MIN, lengthProblem, normalizePassword, type PasswordContext, type PasswordVerdict } from '@taskgate/common/password';

export { PASSWORD_MAX, PASSWORD_MIN, normalizePassword };

export const ARGON2_PARAMS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** How long the strength worker lingers after its last check before it exits (and frees its memory). */
const STRENGTH_IDLE_MS = 10_000;

let strength: Piscina | undefined;

function strengthPool(): Piscina {
  strength ??= new Piscina({
    filename: new URL('./password-strength.worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: STRENGTH_IDLE_MS,
  });
  return strength;
}

/**
 * Why a password is not acceptable for this account, or null when it is: a fragment after
 * "Password " that says what to do ("must be at least 8 characters", "is too easy to guess (…):
 * add another word or two, or make it longer").
 */
export async function passwordProblem(password: string, context: PasswordContext = {}): Promise<string | null> {
  const byLength = lengthProblem(password);
  if (byLength) return byLength;
  const verdict = (await strengthPool().run({ password, context: { email: context.email ?? null, name: context.name ?? null } })) as PasswordVerdict;
  return verdict.problem;
}

/** A small semaphore: at most `limit` hashes run at once; the rest wait their turn. */
class Gate {
  private running = 0;
  private readonly queue: (() => void)[] = [];
  constructor(public limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running += 1;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.queue.shift()?.();
    }
  }
}

const gate = new Gate(1); // until buildApp applies HASH_CONCURRENCY

/** HASH_CONCURRENCY (validated by config/env.ts, 1–64; set by buildApp). */
export function setHashConcurrency(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`hash concurrency must be a positive integer, got ${limit}`);
  gate.limit = limit;
}

export function hashPassword(password: string): Promise<string> {
  return gate.run(() => argon2Hash(normalizePassword(password), ARGON2_PARAMS));
}

export function isLegacyHash(stored: string): boolean {
  return !stored.startsWith('$argon2');
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const normalized = normalizePassword(password);
  return gate.run(async () => {
    if (stored.startsWith('$argon2')) return argon2Verify(stored, normalized).catch(() => false);
    // better-auth's default format ("salt:key", scrypt N=16384 r=16 p=1)
    return verifyLegacyScrypt({ hash: stored, password }).catch(() => false);
  });
}
