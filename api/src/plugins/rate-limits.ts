// Rate limits for the auth endpoints (per IP and per account) and for the task API (per user and
// per IP). Counters live in Redis when REDIS_URL is set, so every instance counts together.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimits } from '../config/env.js';
import { rateLimited } from '../domain/domain-errors.js';
import type { RateLimiter } from '../infra/rate-limiter.js';

declare module 'fastify' {
  interface FastifyInstance {
    limits: RateLimitPolicy;
  }
}

const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 32);

/**
 * Every rate limit of the API: sign-in and registration (below), and the task API, REST and
 * GraphQL alike (apiUser, apiIp). Login throttling is one a stranger cannot turn against the
 * owner (docs/decisions/006):
 * - per client address, every attempt counts (RATE_LIMIT_LOGIN_IP);
 * - per (account, address), failures lock that address out of that account (RATE_LIMIT_LOGIN_ACCOUNT_IP);
 * - per account, failures from all addresses together have a ceiling (RATE_LIMIT_LOGIN_ACCOUNT):
 *   past it, an address that has failed on the account is refused and a new one gets a single try.
 * An address with no failures on the account is never refused for the account's sake, so the
 * owner signs in during an attack; an attacker with A addresses gets at most
 * ceiling + A guesses per window (fewer than A × the per-address budget once A is large).
 */
export class RateLimitPolicy {
  constructor(
    private readonly limiter: RateLimiter,
    readonly rates: RateLimits,
  ) {}

  private keys(ip: string, email: string) {
    const account = accountKey(email);
    return { account: `login:fail:${account}`, pair: `login:fail:${account}:${ip}` };
  }

  /**
   * Before a login attempt (or a password re-check). The attempt counts against its (account,
   * address) pair at once, so parallel guesses cannot all slip past the check; a success clears it.
   */
  async beforeLogin(ip: string, email: string): Promise<void> {
    const perIp = await this.limiter.consume(`login:ip:${ip}`, this.rates.loginPerIp);
    if (!perIp.allowed) throw rateLimited(perIp.retryAfter);
    const { account, pair } = this.keys(ip, email);
    const attempt = await this.limiter.consume(pair, this.rates.loginPerAccountIp);
    if (!attempt.allowed) throw rateLimited(attempt.retryAfter);
    // Under attack (the account's ceiling reached), only an address's first attempt is let through.
    const ceiling = await this.limiter.exceeded(account, this.rates.loginPerAccount);
    if (!ceiling.allowed && attempt.count > 1) throw rateLimited(Math.max(attempt.retryAfter, ceiling.retryAfter));
  }

  async loginFailed(ip: string, email: string): Promise<void> {
    await this.limiter.consume(this.keys(ip, email).account, this.rates.loginPerAccount);
  }

  /** A success clears that address's count; the account's failures stand (they measure the attack). */
  async loginSucceeded(ip: string, email: string): Promise<void> {
    await this.limiter.reset(this.keys(ip, email).pair);
  }

  /**
   * Before a registration: the address's budgets for successful and for refused registrations,
   * counted apart (registerSucceeded / registerRefused) so a developer's typos do not use up the
   * budget for accounts, and probing for taken e-mails has a budget of its own.
   */
  async beforeRegister(ip: string): Promise<void> {
    for (const [key, rate] of [
      [`register:ok:${ip}`, this.rates.registerPerIp],
      [`register:refused:${ip}`, this.rates.registerRefusedPerIp],
    ] as const) {
      const verdict = await this.limiter.exceeded(key, rate);
      if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
    }
  }

  async registerSucceeded(ip: string): Promise<void> {
    await this.limiter.consume(`register:ok:${ip}`, this.rates.registerPerIp);
  }

  async registerRefused(ip: string): Promise<void> {
    await this.limiter.consume(`register:refused:${ip}`, this.rates.registerRefusedPerIp);
  }

  /**
   * Before a password-reset request: per client address and per e-mail (hashed; counted whether
   * or not an account has it, so the answer tells nothing). RATE_LIMIT_FORGOT_IP / _EMAIL.
   */
  async beforeForgot(ip: string, email: string): Promise<void> {
    for (const [key, rate] of [
      [`forgot:ip:${ip}`, this.rates.forgotPerIp],
      [`forgot:email:${accountKey(email)}`, this.rates.forgotPerEmail],
    ] as const) {
      const verdict = await this.limiter.consume(key, rate);
      if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
    }
  }

  /** Before a new verification mail is asked for: the same budgets as password resets, counted apart. */
  async beforeVerificationResend(ip: string, email: string): Promise<void> {
    for (const [key, rate] of [
      [`verify:ip:${ip}`, this.rates.forgotPerIp],
      [`verify:email:${accountKey(email)}`, this.rates.forgotPerEmail],
    ] as const) {
      const verdict = await this.limiter.consume(key, rate);
      if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
    }
  }

  /** Before an e-mail change is asked for: the same budgets as password resets, per client and per account. */
  async beforeEmailChange(ip: string, userId: string): Promise<void> {
    for (const [key, rate] of [
      [`email-change:ip:${ip}`, this.rates.forgotPerIp],
      [`email-change:user:${userId}`, this.rates.forgotPerEmail],
    ] as const) {
      const verdict = await this.limiter.consume(key, rate);
      if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
    }
  }

  /**
   * Before a second-factor code is checked: every attempt counts per client address (the login
   * budget, counted apart), and an account past RATE_LIMIT_TWO_FACTOR_ACCOUNT wrong codes is refused.
   */
  async beforeSecondFactor(ip: string, userId: string): Promise<void> {
    const perIp = await this.limiter.consume(`2fa:ip:${ip}`, this.rates.loginPerIp);
    if (!perIp.allowed) throw rateLimited(perIp.retryAfter);
    const account = await this.limiter.exceeded(`2fa:fail:${userId}`, this.rates.twoFactorPerAccount);
    if (!account.allowed) throw rateLimited(account.retryAfter);
  }

  async secondFactorFailed(userId: string): Promise<void> {
    await this.limiter.consume(`2fa:fail:${userId}`, this.rates.twoFactorPerAccount);
  }

  /**
   * Before a passkey ceremony step (options or a response, signing in or adding one): per client
   * address, counted apart from password sign-ins with the same budget (RATE_LIMIT_LOGIN_IP).
   */
  async beforePasskeyCeremony(ip: string): Promise<void> {
    const verdict = await this.limiter.consume(`passkey:ip:${ip}`, this.rates.loginPerIp);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
  }

  /** Task API, per signed-in user. */
  async apiUser(userId: string): Promise<void> {
    const verdict = await this.limiter.consume(`api:user:${userId}`, this.rates.api);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
  }

  /** Task API, per client IP: counted before authentication, so invalid-token floods count too. */
  async apiIp(ip: string): Promise<void> {
    const verdict = await this.limiter.consume(`api:ip:${ip}`, this.rates.api);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfter);
  }
}

/** onRequest hook (before the viewer hook) for /api/tasks and /graphql: every request counts per IP. */
export async function apiIpRateLimit(request: FastifyRequest, _reply: FastifyReply) {
  await request.server.limits.apiIp(request.ip);
}

/** onRequest hook (after the viewer hook) for /api/tasks and /graphql: per user. */
export async function apiRateLimit(request: FastifyRequest, _reply: FastifyReply) {
  if (request.viewer) await request.server.limits.apiUser(request.viewer.userId);
}

async function rateLimitsPlugin(app: FastifyInstance, opts: { limits: RateLimitPolicy }) {
  app.decorate('limits', opts.limits);
}

export default fp(rateLimitsPlugin, { name: 'rate-limits' });
