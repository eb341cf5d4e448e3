// The environment, parsed once with a schema. Start-up fails listing every bad variable.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The repository root (api/src/config → ../../..): `./.data` is resolved against it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const Bool = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]);
const Port = Type.String({ pattern: '^[0-9]{1,5}$' });
const Seconds = Type.String({ pattern: '^[1-9][0-9]{0,6}$' });
/** "<max>/<window seconds>", e.g. "10/60". */
const Rate = Type.String({ pattern: '^[1-9][0-9]{0,6}/[1-9][0-9]{0,6}$' });

const EnvSchema = Type.Object({
  NODE_ENV: Type.Optional(Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')])),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  PORT: Type.Optional(Port),
  DATA_DIR: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DB_POOL_MAX: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
  BETTER_AUTH_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^/]+$' })),
  JWT_ISSUER: Type.Optional(Type.String({ minLength: 1 })),
  JWT_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  ACCESS_TOKEN_TTL: Type.Optional(Seconds),
  TRUSTED_ORIGINS: Type.Optional(Type.String()),
  GRAPHQL_INTROSPECTION: Type.Optional(Bool),
  GRAPHQL_PLAYGROUND: Type.Optional(Bool),
  GRAPHQL_JIT_AFTER: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,5})$' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  CORS_ORIGINS: Type.Optional(Type.String()),
  TRUST_PROXY: Type.Optional(Type.String({ minLength: 1 })),
  RATE_LIMIT_ENABLED: Type.Optional(Bool),
  RATE_LIMIT_LOGIN_IP: Type.Optional(Rate),
  RATE_LIMIT_LOGIN_ACCOUNT: Type.Optional(Rate),
  RATE_LIMIT_LOGIN_ACCOUNT_IP: Type.Optional(Rate),
  RATE_LIMIT_REGISTER_IP: Type.Optional(Rate),
  RATE_LIMIT_REGISTER_REFUSED_IP: Type.Optional(Rate),
  RATE_LIMIT_FORGOT_IP: Type.Optional(Rate),
  RATE_LIMIT_FORGOT_EMAIL: Type.Optional(Rate),
  RATE_LIMIT_TWO_FACTOR_ACCOUNT: Type.Optional(Rate),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://[^\\s]+$' })),
  MAIL_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  REQUIRE_EMAIL_VERIFICATION: Type.Optional(Bool),
  REFRESH_REUSE_INTERVAL: Type.Optional(Type.String({ pattern: '^([0-9]|[1-5][0-9]|60)$' })),
  RATE_LIMIT_API: Type.Optional(Rate),
  SHUTDOWN_DRAIN_SECONDS: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]?|1[0-9]{2})$' })),
  HASH_CONCURRENCY: Type.Optional(Type.String({ pattern: '^([1-9]|[1-5][0-9]|6[0-4])$' })),
  CLEANUP_INTERVAL_SECONDS: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,6})$' })),
  HEAP_GROWING_PERCENT: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,2})$' })),
  WS_MAX_CONNECTIONS_PER_IP: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$' })),
  WS_MAX_CONNECTIONS_PER_USER: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$' })),
  WS_MAX_SUBSCRIPTIONS: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
  WS_MAX_MESSAGE_BYTES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{2,7}$' })),
  WS_MAX_BUFFERED_BYTES: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{3,9}$' })),
  WS_KEEPALIVE_SECONDS: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,3})$' })),
  LOG_LEVEL: Type.Optional(
    Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  ),
});
type RawEnv = Static<typeof EnvSchema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  /** Unset → embedded PGlite in `${dataDir}/db`. */
  databaseUrl: string | undefined;
  dbPoolMax: number;
  /** Undefined until resolved by config/secrets.ts (generated in development). */
  betterAuthSecret: string | undefined;
  /** The origin clients reach the API at: better-auth's base URL. */
  publicUrl: string;
  jwtIssuer: string;
  jwtAudience: string;
  accessTokenTtlSeconds: number;
  trustedOrigins: string[];
  /** What GraphQL tooling may see (GRAPHQL_INTROSPECTION, GRAPHQL_PLAYGROUND). */
  graphqlPlayground: GraphqlTooling;
  /** Executions of one GraphQL document before it is compiled (graphql/jit.ts); 0 = never. */
  graphqlJitAfter: number;
  logLevel: string;
  /** Unset → single-instance in-process stores for rate limits and revocations. */
  redisUrl: string | undefined;
  /** Browser origins allowed to call the API cross-origin (CORS allowlist). */
  corsOrigins: string[];
  /** Fastify trustProxy: unset/false → X-Forwarded-For is ignored; else addresses/CIDRs or a hop count. */
  trustProxy: boolean | string | number;
  rateLimits: RateLimits;
  /**
   * On SIGTERM, seconds to keep serving while /readyz answers 503 (so a load balancer stops
   * sending new requests) before the server stops accepting; 0 = close at once.
   */
  shutdownDrainSeconds: number;
  /**
   * V8 lets the heap grow to (1 + this/100) × what survived the last full collection before it
   * collects again; 0 = V8's own factor (up to × 4 on a large machine). server.ts applies it.
   */
  heapGrowingPercent: number;
  /** Password hashes (argon2id, 19 MiB each) allowed to run at once, 1–64. */
  hashConcurrency: number;
  /**
   * Seconds after its rotation during which a refresh token presented again gets the same
   * successor instead of revoking the session (two tabs, a retried request); 0 = never.
   */
  refreshReuseIntervalSeconds: number;
  /** GraphQL subscriptions over WebSocket (graphql/subscriptions.ts). */
  websocket: WebSocketLimits;
  /**
   * Seconds between runs of the cleanup job (expired sessions and verification tokens, retired
   * refresh-rotation rows, security events past 90 days); 0 = never.
   */
  cleanupIntervalSeconds: number;
  /** Sign-in refuses an account whose address is not verified yet (403 EMAIL_NOT_VERIFIED); sign-up starts no session. */
  requireEmailVerification: boolean;
  mail: MailConfig;
}

export interface MailConfig {
  /** SMTP_URL; unset (development, test) → the embedded outbox `${dataDir}/outbox/`. */
  smtpUrl: string | undefined;
  /** MAIL_FROM: the From of every mail. */
  from: string;
  /** `${dataDir}/outbox`: where mails go without SMTP_URL. */
  outboxDir: string;
}

export interface WebSocketLimits {
  /** Open sockets from one client address (WS_MAX_CONNECTIONS_PER_IP). */
  connectionsPerIp: number;
  /** Open authenticated sockets of one user (WS_MAX_CONNECTIONS_PER_USER). */
  connectionsPerUser: number;
  /** Active subscriptions on one socket (WS_MAX_SUBSCRIPTIONS). */
  subscriptionsPerConnection: number;
  /** Largest message a client may send; a bigger one closes the socket with 1009 (WS_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  /** Bytes queued to one socket before it is closed as too slow (WS_MAX_BUFFERED_BYTES). */
  maxBufferedBytes: number;
  /** Ping interval; a socket that has not answered the previous ping by then is dropped; 0 = off (WS_KEEPALIVE_SECONDS). */
  keepAliveSeconds: number;
}

export interface GraphqlTooling {
  /** The schema answers `__schema` / `__type` (GraphiQL's Docs and autocomplete, codegen). */
  introspection: boolean;
  /** Apollo's landing page at GET /graphql (needs introspection). */
  landingPage: boolean;
}

/**
 * Development and test: both on. Production: both off; GRAPHQL_INTROSPECTION=true turns
 * introspection on, GRAPHQL_PLAYGROUND=true the landing page and the introspection it needs.
 */
function graphqlTooling(env: Config['env'], introspectionVar: string | undefined, playgroundVar: string | undefined): GraphqlTooling {
  const playground = playgroundVar === undefined ? undefined : playgroundVar === 'true' || playgroundVar === '1';
  const introspection =
    introspectionVar === undefined ? env !== 'production' || playground === true : introspectionVar === 'true' || introspectionVar === '1';
  return { introspection, landingPage: playground ?? (env !== 'production' && introspection) };
}

export interface Rate {
  max: number;
  windowSeconds: number;
}

export interface RateLimits {
  enabled: boolean;
  /** Login attempts per client IP. */
  loginPerIp: Rate;
  /**
   * Failed logins per account (email) from all addresses together; past it, an address that has
   * already failed on the account is refused and a new address gets one try.
   */
  loginPerAccount: Rate;
  /** Failed logins per account from one client address: past it, that address is locked out of that account. */
  loginPerAccountIp: Rate;
  /** Successful registrations per client IP. */
  registerPerIp: Rate;
  /** Refused registrations (bad input, e-mail taken, weak password) per client IP. */
  registerRefusedPerIp: Rate;
  /** Requests to /api/tasks and /graphql, per user and per IP. */
  api: Rate;
  /** Password-reset requests per client IP. */
  forgotPerIp: Rate;
  /** Password-reset requests per e-mail address (known or not). */
  forgotPerEmail: Rate;
  /** Wrong second-factor codes per account (sign-in and password reset together). */
  twoFactorPerAccount: Rate;
}

function parseRate(value: string | undefined, fallback: string): Rate {
  const [max, windowSeconds] = (value ?? fallback).split('/').map(Number);
  return { max: max!, windowSeconds: windowSeconds! };
}

function parseTrustProxy(value: string | undefined): boolean | string | number {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^[0-9]+$/.test(value)) return Number(value);
  return value;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Production never runs on a generated secret (config/secrets.ts makes one in development and test). */
export const PRODUCTION_SECRET_REQUIRED =
  'BETTER_AUTH_SECRET: required when NODE_ENV=production (at least 32 characters; e.g. `openssl rand -base64 48`)';

/** Every variable the API reads (what a child server must not inherit from a test's environment). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.properties) as (keyof RawEnv)[];
const KNOWN = CONFIG_VARIABLES;

/** Parses the environment; throws a ConfigError naming every invalid variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of KNOWN) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const problems = [...Value.Errors(EnvSchema, raw)].map(
    (e) => `${e.path.slice(1) || '(env)'}: ${e.message}${/SECRET|SMTP_URL/.test(e.path) ? '' : ` (got ${JSON.stringify(e.value)})`}`,
  );
  const port = Number(raw.PORT ?? 4000);
  if (port < 1 || port > 65535) problems.push(`PORT: must be 1–65535 (got ${JSON.stringify(raw.PORT)})`);
  if (/^(true|1)$/.test(raw.GRAPHQL_PLAYGROUND ?? '') && /^(false|0)$/.test(raw.GRAPHQL_INTROSPECTION ?? '')) {
    problems.push('GRAPHQL_PLAYGROUND: the landing page needs introspection; set GRAPHQL_PLAYGROUND=false or GRAPHQL_INTROSPECTION=true');
  }
  if (raw.NODE_ENV === 'production' && raw.BETTER_AUTH_SECRET === undefined) problems.push(PRODUCTION_SECRET_REQUIRED);
  if (raw.NODE_ENV === 'production' && (!raw.SMTP_URL || !raw.MAIL_FROM)) {
    problems.push('SMTP_URL and MAIL_FROM: both are required in production (the API mails password-reset and verification links), e.g. SMTP_URL=smtp://user:pass@mail.example.com:587 MAIL_FROM="Taskgate <no-reply@example.com>"');
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);

  const env = (raw.NODE_ENV ?? 'development') as Config['env'];
  const host = raw.HOST ?? '127.0.0.1';
  const publicUrl = raw.PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const truthy = (v: string | undefined) => v === 'true' || v === '1';
  const dataDir = path.resolve(REPO_ROOT, raw.DATA_DIR ?? '.data');
  return {
    env,
    host,
    port,
    dataDir,
    databaseUrl: raw.DATABASE_URL,
    dbPoolMax: Number(raw.DB_POOL_MAX ?? 10),
    betterAuthSecret: raw.BETTER_AUTH_SECRET,
    publicUrl,
    jwtIssuer: raw.JWT_ISSUER ?? publicUrl,
    jwtAudience: raw.JWT_AUDIENCE ?? publicUrl,
    accessTokenTtlSeconds: Number(raw.ACCESS_TOKEN_TTL ?? 900),
    trustedOrigins: list(raw.TRUSTED_ORIGINS),
    graphqlPlayground: graphqlTooling(env, raw.GRAPHQL_INTROSPECTION, raw.GRAPHQL_PLAYGROUND),
    graphqlJitAfter: Number(raw.GRAPHQL_JIT_AFTER ?? 10),
    logLevel: raw.LOG_LEVEL ?? (env === 'test' ? 'silent' : 'info'),
    redisUrl: raw.REDIS_URL,
    corsOrigins: list(raw.CORS_ORIGINS),
    trustProxy: parseTrustProxy(raw.TRUST_PROXY),
    shutdownDrainSeconds: Number(raw.SHUTDOWN_DRAIN_SECONDS ?? 0),
    heapGrowingPercent: Number(raw.HEAP_GROWING_PERCENT ?? 100),
    hashConcurrency: Number(raw.HASH_CONCURRENCY ?? 1),
    refreshReuseIntervalSeconds: Number(raw.REFRESH_REUSE_INTERVAL ?? 10),
    websocket: {
      connectionsPerIp: Number(raw.WS_MAX_CONNECTIONS_PER_IP ?? 100),
      connectionsPerUser: Number(raw.WS_MAX_CONNECTIONS_PER_USER ?? 20),
      subscriptionsPerConnection: Number(raw.WS_MAX_SUBSCRIPTIONS ?? 10),
      maxMessageBytes: Number(raw.WS_MAX_MESSAGE_BYTES ?? 64 * 1024),
      maxBufferedBytes: Number(raw.WS_MAX_BUFFERED_BYTES ?? 1024 * 1024),
      keepAliveSeconds: Number(raw.WS_KEEPALIVE_SECONDS ?? 30),
    },
    cleanupIntervalSeconds: Number(raw.CLEANUP_INTERVAL_SECONDS ?? 3600),
    requireEmailVerification: truthy(raw.REQUIRE_EMAIL_VERIFICATION),
    rateLimits: {
      enabled: raw.RATE_LIMIT_ENABLED === undefined || truthy(raw.RATE_LIMIT_ENABLED),
      loginPerIp: parseRate(raw.RATE_LIMIT_LOGIN_IP, '20/60'),
      loginPerAccount: parseRate(raw.RATE_LIMIT_LOGIN_ACCOUNT, '50/900'),
      loginPerAccountIp: parseRate(raw.RATE_LIMIT_LOGIN_ACCOUNT_IP, '5/900'),
      // A developer trying the app signs up far more often than any real user from one address.
      registerPerIp: parseRate(raw.RATE_LIMIT_REGISTER_IP, env === 'production' ? '10/3600' : '100/3600'),
      registerRefusedPerIp: parseRate(raw.RATE_LIMIT_REGISTER_REFUSED_IP, env === 'production' ? '30/3600' : '300/3600'),
      api: parseRate(raw.RATE_LIMIT_API, '600/60'),
      forgotPerIp: parseRate(raw.RATE_LIMIT_FORGOT_IP, '10/3600'),
      forgotPerEmail: parseRate(raw.RATE_LIMIT_FORGOT_EMAIL, '3/3600'),
      twoFactorPerAccount: parseRate(raw.RATE_LIMIT_TWO_FACTOR_ACCOUNT, '10/900'),
    },
    mail: {
      smtpUrl: raw.SMTP_URL,
      from: raw.MAIL_FROM ?? 'Taskgate <no-reply@taskgate.invalid>',
      outboxDir: path.join(dataDir, 'outbox'),
    },
  };
}
