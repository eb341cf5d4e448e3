// Password policy and hashing (ASVS 5.0 6.2.x / OWASP password storage):
// - NFKC-normalised, 8–128 characters, not one of the 10,000 most common passwords;
// - argon2id, m = 19 MiB, t = 2, p = 1 (OWASP's minimum), at most HASH_CONCURRENCY at a time so
//   logins cannot take every libuv thread from request handling;
// - hashes made by better-auth's default scrypt are still verified, and the login that proves the
//   password replaces them with argon2id (see better-auth.ts).
import { readFileSync } from 'node:fs';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { verifyPassword as verifyLegacyScrypt } from 'better-auth/crypto';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export const ARGON2_PARAMS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const COMMON = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean),
);

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Why a password is not acceptable, or null when it is. */
export function passwordProblem(password: string): string | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (COMMON.has(normalized.toLowerCase())) return 'is too common; choose a less guessable password';
  return null;
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
