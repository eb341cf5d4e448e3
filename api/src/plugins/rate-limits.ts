// Rate limits for the auth endpoints (per IP and per account) and for the task API (per user and
// per IP). Counters live in Redis when REDIS_URL is set, so every instance counts together.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimits } from '../config/env.js';
import { rateLimited } from '../domain/errors.js';
import type { RateLimiter } from '../infra/rate-limiter.js';

declare module 'fastify' {
  interface FastifyInstance {
    limits: AuthLimits;
  }
}

const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 32);

export class AuthLimits {
  constructor(
    private readonly limiter: RateLimiter,
    readonly rates: RateLimits,
  ) {}

  /** Before a login attempt: per-IP budget, and the account's failed-attempt budget. */
  async beforeLogin(ip: string, email: string): Promise<void> {
    const perIp = await this.limiter.consume(`login:ip:${ip}`, this.rates.loginPerIp);
    if (!perIp.allowed) throw rateLimited(perIp.retryAfter);
    const perAccount = await this.limiter.exceeded(`login:acct:${accountKey(email)}`, this.rates.loginPerAccount);
    if (!perAccount.allowed) throw rateLimited(perAccount.retryAfter);
  }

  async loginFailed(email: string): Promise<void> {
    await this.limiter.consume(`login:acct:${accountKey(email)}`, this.rates.loginPerAccount);
  }

  async loginSucceeded(email: string): Promise<void> {
    await this.limiter.reset(`login:acct:${accountKey(email)}`);
  }

  async beforeRegister(ip: string): Promise<void> {
    const verdict = await this.limiter.consume(`register:ip:${ip}`, this.rates.registerPerIp);
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

async function rateLimitsPlugin(app: FastifyInstance, opts: { limits: AuthLimits }) {
  app.decorate('limits', opts.limits);
}

export default fp(rateLimitsPlugin, { name: 'rate-limits' });
