// Attack tests for access-token verification. Every protected REST route and GraphQL operation
// must reject anything but a live access token signed by the server's own Ed25519 key, with the
// exact status, body and WWW-Authenticate challenge the API documents: forged, tampered, expired,
// confused-algorithm, foreign-key, header-injection and revoked tokens alike.
//
// Controls prove the forging paths work (a token built the same way but left intact IS accepted),
// so each rejection below is caused by the attack, not by a broken test token.
import {
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as signWithKey,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { resolveSigningKey } from 'better-auth/plugins';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DATABASES,
  TEST_ISSUER,
  startApi,
  type DbKind,
  type HttpResult,
  type TestApi,
  type TestUser,
} from '../support/harness.js';
import { OWN_ORIGIN, sessionCookie } from './helpers.js';

// ---------------------------------------------------------------------------------------------
// The contract's answers
// ---------------------------------------------------------------------------------------------

const REST_INVALID = { error: { code: 'UNAUTHENTICATED', message: 'Access token is invalid or expired.', requestId: expect.any(String) } };
const REST_MISSING = {
  error: { code: 'UNAUTHENTICATED', message: 'Authentication required: send Authorization: Bearer <access token>.', requestId: expect.any(String) },
};
const GQL_INVALID = { errors: [{ message: 'Access token is invalid or expired.', extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } }] };
const REFRESH_REJECTED = { error: { code: 'UNAUTHENTICATED', message: 'Refresh token is invalid, expired or revoked.', requestId: expect.any(String) } };
/** RFC 6750: a token was sent and is bad → error="invalid_token". */
const INVALID_CHALLENGE = /^Bearer realm="taskgate", error="invalid_token"(, .*)?$/;
/** No credentials at all → a bare challenge, no error code. */
const MISSING_CHALLENGE = 'Bearer realm="taskgate"';

const EVIL = 'http://evil.test';
const NOWHERE = 'http://127.0.0.1:1';
const FAST_MS = 1_000;

// ---------------------------------------------------------------------------------------------
// Token building
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signingInput = (header: Json, payload: Json) => `${b64json(header)}.${b64json(payload)}`;
const now = () => Math.floor(Date.now() / 1000);

function decodeSegment(token: string, index: 0 | 1): Json {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8')) as Json;
}

/** Replaces the character at `index` of segment `segment` with a different base64url character. */
function flipChar(token: string, segment: 1 | 2, index: number): string {
  const parts = token.split('.');
  const s = parts[segment]!;
  const c = s[index]!;
  parts[segment] = s.slice(0, index) + (c === 'A' ? 'B' : 'A') + s.slice(index + 1);
  return parts.join('.');
}

function hmacToken(alg: 'HS256' | 'HS512', header: Json, payload: Json, secret: string | Buffer): string {
  const input = signingInput({ ...header, alg }, payload);
  const digest = createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret).update(input).digest('base64url');
  return `${input}.${digest}`;
}

function attackerEdToken(header: Json, payload: Json, key: KeyObject): string {
  const input = signingInput({ alg: 'EdDSA', ...header }, payload);
  return `${input}.${signWithKey(null, Buffer.from(input), key).toString('base64url')}`;
}

function newEd25519(): { privateKey: KeyObject; publicJwk: Json; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = randomBytes(16).toString('base64url');
  return { privateKey, publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }, kid };
}

// ---------------------------------------------------------------------------------------------
// Protected targets: every REST route and a spread of GraphQL operations
// ---------------------------------------------------------------------------------------------

interface Target {
  name: string;
  kind: 'rest' | 'gql';
  /** HTTP status with a valid token (control). */
  okStatus: number;
  /** GraphQL only: the root field and whether it is nullable (decides `data` when it errors). */
  field?: string;
  nullable?: boolean;
  /** Without a token, @public fields still answer. */
  isPublic?: boolean;
  send(authorization: string | undefined): Promise<HttpResult>;
}

interface TargetIds {
  /** Task used by /api/tasks/:id routes. */
  rest: string;
  /** Task used by /api/{userId}/tasks/:id routes. */
  alias: string;
  /** Task used by GraphQL operations on one task. */
  gql: string;
}

function makeTargets(api: TestApi, userId: string, ids: TargetIds, word = 'attack'): Target[] {
  const auth = (authorization: string | undefined): Record<string, string> =>
    authorization === undefined ? {} : { authorization };
  const rest = (method: string, path: string, okStatus: number, body?: unknown): Target => ({
    name: `${method} ${path}`,
    kind: 'rest',
    okStatus,
    send: (authorization) => api.request(method, path, { headers: auth(authorization), body }),
  });
  const gql = (name: string, field: string, nullable: boolean, query: string, variables: Json = {}, isPublic = false): Target => ({
    name: `POST /graphql ${name}`,
    kind: 'gql',
    okStatus: 200,
    field,
    nullable,
    isPublic,
    send: (authorization) => api.request('POST', '/graphql', { headers: auth(authorization), body: { query, variables } }),
  });
  const created = `created by ${word}`;
  const pwned = `pwned by ${word}`;
  const replace = { title: pwned, description: pwned, completed: true };
  const base = `/api/${userId}/tasks`;
  // Order matters for the control run: deletes come after the other routes on the same task.
  return [
    rest('GET', '/api/tasks', 200),
    rest('POST', '/api/tasks', 201, { title: created }),
    rest('GET', `/api/tasks/${ids.rest}`, 200),
    rest('PUT', `/api/tasks/${ids.rest}`, 200, replace),
    rest('PATCH', `/api/tasks/${ids.rest}`, 200, { title: pwned }),
    rest('PATCH', `/api/tasks/${ids.rest}/complete`, 200),
    rest('DELETE', `/api/tasks/${ids.rest}`, 204),
    rest('GET', base, 200),
    rest('POST', base, 201, { title: created }),
    rest('GET', `${base}/${ids.alias}`, 200),
    rest('PUT', `${base}/${ids.alias}`, 200, replace),
    rest('PATCH', `${base}/${ids.alias}`, 200, { completed: true }),
    rest('PATCH', `${base}/${ids.alias}/complete`, 200),
    rest('DELETE', `${base}/${ids.alias}`, 204),
    gql('{ health }', 'health', false, '{ health }', {}, true),
    gql('{ me { id } }', 'me', false, '{ me { id } }'),
    gql('tasks', 'tasks', false, '{ tasks { nodes { id } totalCount } }'),
    gql('task(id)', 'task', true, 'query ($id: ID!) { task(id: $id) { id title } }', { id: ids.gql }),
    gql('createTask', 'createTask', false, 'mutation ($t: String!) { createTask(input: { title: $t }) { id } }', { t: created }),
    gql('updateTask', 'updateTask', false, 'mutation ($id: ID!, $t: String!) { updateTask(id: $id, input: { title: $t }) { id } }', {
      id: ids.gql,
      t: pwned,
    }),
    gql('toggleTask', 'toggleTask', false, 'mutation ($id: ID!) { toggleTask(id: $id) { id } }', { id: ids.gql }),
    gql('deleteTask', 'deleteTask', false, 'mutation ($id: ID!) { deleteTask(id: $id) }', { id: ids.gql }),
    {
      name: 'GET /graphql { me { id } }',
      kind: 'gql',
      okStatus: 200,
      field: 'me',
      nullable: false,
      send: (authorization) =>
        api.request('GET', `/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
          headers: { ...auth(authorization), 'apollo-require-preflight': 'true' },
        }),
    },
    rest('GET', '/api/auth/me', 200),
    // Last: with a valid token this revokes the session.
    rest('POST', '/api/auth/logout', 204),
  ];
}

interface Outcome {
  status: number;
  body: unknown;
  challenge: string | null;
}

/**
 * Sends one Authorization header to every target. Sequential when timings matter (each request
 * then measures the server alone); otherwise concurrent, which is faster. Rejections do not
 * depend on order; the control run (valid token) must be sequential.
 */
async function runAll(targets: Target[], authorization: string | undefined, sequential = false) {
  const outcomes: Record<string, Outcome> = {};
  const timings: Record<string, number> = {};
  const one = async (target: Target) => {
    const started = performance.now();
    const res = await target.send(authorization);
    timings[target.name] = Math.round(performance.now() - started);
    outcomes[target.name] = { status: res.status, body: res.body, challenge: res.headers.get('www-authenticate') };
  };
  if (sequential) for (const target of targets) await one(target);
  else await Promise.all(targets.map(one));
  return { outcomes, timings };
}

/** What every target must answer to a request carrying a bad token. */
function invalidFor(targets: Target[]): Record<string, unknown> {
  return Object.fromEntries(
    targets.map((t) => [
      t.name,
      { status: 401, body: t.kind === 'rest' ? REST_INVALID : GQL_INVALID, challenge: expect.stringMatching(INVALID_CHALLENGE) },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Fixtures shared by the attacks of one database
// ---------------------------------------------------------------------------------------------

interface Fixtures {
  api: TestApi;
  victim: TestUser;
  /** A second, real user: their valid token is raw material for splicing attacks. */
  other: TestUser;
  /** The claims of the victim's real access token (sub, sid, iat, exp, iss, aud). */
  claims: Json;
  realKid: string;
  serverJwk: Json;
  attacker: ReturnType<typeof newEd25519>;
  /** Signs with the server's real private key (for controls and real-key header tricks). */
  signReal(header: Json, payload: Json): Promise<string>;
  /** Signs claims with the server's key through better-auth's signJWT (iss/aud/exp default). */
  forge(payload: Json): Promise<string>;
  /** Fresh, valid claims for the victim. */
  fresh(): Json;
}

interface Attack {
  name: string;
  /** The Authorization header value to send. */
  header(f: Fixtures): string | Promise<string>;
  /** Must be answered in under FAST_MS (nothing fetched, executed or waited for). */
  fast?: boolean;
}

const bearer = (token: string) => `Bearer ${token}`;

const ATTACKS: Attack[] = [
  // Malformed Authorization headers
  { name: 'header "Bearer" with no token', header: () => 'Bearer' },
  { name: 'Basic credentials', header: () => 'Basic dXNlcjpwYXNzd29yZA==' },
  { name: 'a valid access token under the Basic scheme', header: (f) => `Basic ${f.victim.accessToken}` },
  { name: 'a valid access token with no scheme', header: (f) => f.victim.accessToken },
  { name: 'header "Bearer a b"', header: () => 'Bearer a b' },
  { name: 'a valid access token followed by another word', header: (f) => `Bearer ${f.victim.accessToken} extra` },
  { name: 'garbage header', header: () => '}{%$#@!garbage' },
  { name: 'Bearer garbage (not a JWT)', header: () => 'Bearer not-a-jwt' },
  { name: 'Bearer a.b.c (JWT-shaped garbage)', header: () => 'Bearer a.b.c' },
  { name: 'Bearer .. (empty segments)', header: () => 'Bearer ..' },
  { name: 'header and payload only (two segments)', header: (f) => bearer(f.victim.accessToken.split('.').slice(0, 2).join('.')) },
  { name: 'four segments', header: (f) => bearer(`${f.victim.accessToken}.AAAA`) },
  { name: 'oversized token (8 KiB)', header: (f) => bearer(`${f.victim.accessToken.split('.')[0]}.${'A'.repeat(8192)}.AAAA`) },
  { name: 'the refresh (session) token as an access token', header: (f) => bearer(f.victim.refreshToken) },

  // Lifetime
  { name: 'expired an hour ago', header: (f) => f.forge({ ...f.fresh(), iat: now() - 4000, exp: now() - 3600 }).then(bearer) },
  { name: 'expired 90 s ago (beyond the 30 s clock tolerance)', header: (f) => f.forge({ ...f.fresh(), iat: now() - 1000, exp: now() - 90 }).then(bearer) },
  { name: 'nbf an hour in the future', header: (f) => f.forge({ ...f.fresh(), nbf: now() + 3600 }).then(bearer) },
  { name: 'nbf 2 minutes in the future (beyond tolerance)', header: (f) => f.forge({ ...f.fresh(), nbf: now() + 120 }).then(bearer) },
  { name: 'no exp (real key)', header: (f) => f.signReal({ alg: 'EdDSA', kid: f.realKid }, { ...f.fresh(), exp: undefined }).then(bearer) },

  // Tampering
  { name: 'signature with one character flipped', header: (f) => bearer(flipChar(f.victim.accessToken, 2, 10)) },
  { name: 'payload with one character flipped', header: (f) => bearer(flipChar(f.victim.accessToken, 1, 20)) },
  {
    name: "payload swapped for the victim's (sub) under another user's signature",
    header: (f) => {
      const [h, , s] = f.other.accessToken.split('.');
      return bearer(`${h}.${b64json({ ...decodeSegment(f.other.accessToken, 1), sub: f.victim.id })}.${s}`);
    },
  },
  {
    name: "victim's header+payload with another user's valid signature",
    header: (f) => {
      const [h, p] = f.victim.accessToken.split('.');
      return bearer(`${h}.${p}.${f.other.accessToken.split('.')[2]}`);
    },
  },
  { name: 'empty signature', header: (f) => bearer(`${f.victim.accessToken.split('.').slice(0, 2).join('.')}.`) },
  {
    name: 'all-zero signature',
    header: (f) => bearer(`${f.victim.accessToken.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64).toString('base64url')}`),
  },
  {
    name: 'truncated signature',
    header: (f) => {
      const [h, p, s] = f.victim.accessToken.split('.');
      return bearer(`${h}.${p}.${s!.slice(0, 43)}`);
    },
  },

  // alg: none, four casings, empty signature
  ...['none', 'None', 'NONE', 'nOnE'].map<Attack>((alg) => ({
    name: `alg "${alg}" with an empty signature`,
    header: (f) => bearer(`${signingInput({ alg, typ: 'JWT', kid: f.realKid }, f.claims)}.`),
  })),
  {
    name: 'alg "none" keeping the original signature',
    header: (f) => bearer(`${signingInput({ alg: 'none', kid: f.realKid }, f.claims)}.${f.victim.accessToken.split('.')[2]}`),
  },

  // Key confusion: HMAC keyed with the public key
  {
    name: 'HS256 keyed with the public key as SPKI PEM text',
    header: (f) => bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, spkiPem(f.serverJwk))),
  },
  {
    name: 'HS256 keyed with the public key as SPKI PEM text, trimmed',
    header: (f) => bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, spkiPem(f.serverJwk).trim())),
  },
  {
    name: 'HS256 keyed with the public key as SPKI DER bytes',
    header: (f) =>
      bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, createPublicKey({ key: f.serverJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'der' }))),
  },
  {
    name: 'HS256 keyed with the raw JWK x bytes',
    header: (f) => bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, Buffer.from(String(f.serverJwk.x), 'base64url'))),
  },
  {
    name: 'HS256 keyed with the JWK x string',
    header: (f) => bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, String(f.serverJwk.x))),
  },
  {
    name: 'HS256 keyed with the JWKS JSON',
    header: (f) => bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, JSON.stringify({ keys: [f.serverJwk] }))),
  },
  {
    name: 'HS512 keyed with the raw JWK x bytes',
    header: (f) => bearer(hmacToken('HS512', { typ: 'JWT', kid: f.realKid }, f.claims, Buffer.from(String(f.serverJwk.x), 'base64url'))),
  },
  { name: 'HS256 with an empty secret', header: (f) => bearer(hmacToken('HS256', { typ: 'JWT', kid: f.realKid }, f.claims, '')) },
  { name: 'HS256 with an empty secret and no kid', header: (f) => bearer(hmacToken('HS256', { typ: 'JWT' }, f.claims, '')) },
  {
    name: 'ES256 header (not in the allowlist), attacker-signed',
    header: (f) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const input = signingInput({ alg: 'ES256', kid: f.realKid }, f.claims);
      return bearer(`${input}.${signWithKey('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`);
    },
  },

  // Issuer / audience
  { name: 'wrong iss', header: (f) => f.forge({ ...f.fresh(), iss: EVIL }).then(bearer) },
  { name: 'iss with a trailing slash', header: (f) => f.forge({ ...f.fresh(), iss: `${TEST_ISSUER}/` }).then(bearer) },
  { name: 'wrong aud', header: (f) => f.forge({ ...f.fresh(), aud: EVIL }).then(bearer) },
  { name: 'wrong aud (array)', header: (f) => f.forge({ ...f.fresh(), aud: [EVIL, `${TEST_ISSUER}.evil.test`] }).then(bearer) },
  { name: 'no iss (real key)', header: (f) => f.signReal({ alg: 'EdDSA', kid: f.realKid }, { ...f.fresh(), iss: undefined }).then(bearer) },
  { name: 'no aud (real key)', header: (f) => f.signReal({ alg: 'EdDSA', kid: f.realKid }, { ...f.fresh(), aud: undefined }).then(bearer) },

  // Subject / session claims
  { name: 'no sub', header: (f) => f.forge({ ...f.fresh(), sub: undefined }).then(bearer) },
  { name: 'empty sub', header: (f) => f.signReal({ alg: 'EdDSA', kid: f.realKid }, { ...f.fresh(), sub: '' }).then(bearer) },
  { name: 'no sid', header: (f) => f.forge({ ...f.fresh(), sid: undefined }).then(bearer) },
  { name: 'empty sid', header: (f) => f.forge({ ...f.fresh(), sid: '' }).then(bearer) },
  { name: 'numeric sid', header: (f) => f.forge({ ...f.fresh(), sid: 12345 }).then(bearer) },

  // Foreign keys and key-location headers
  { name: 'unknown kid (attacker Ed25519 key)', header: (f) => bearer(attackerEdToken({ kid: f.attacker.kid }, f.fresh(), f.attacker.privateKey)) },
  { name: "attacker Ed25519 key claiming the server's kid", header: (f) => bearer(attackerEdToken({ kid: f.realKid }, f.fresh(), f.attacker.privateKey)) },
  { name: 'attacker Ed25519 key with no kid', header: (f) => bearer(attackerEdToken({}, f.fresh(), f.attacker.privateKey)) },
  ...["../../dev/null", "x' UNION SELECT '1';--", '|sleep 10', '../../../../etc/passwd', '$(sleep 10)'].map<Attack>((kid) => ({
    name: `kid injection ${JSON.stringify(kid)}`,
    fast: true,
    header: (f) => bearer(attackerEdToken({ kid }, f.fresh(), f.attacker.privateKey)),
  })),
  {
    name: 'embedded jwk header with the attacker key',
    header: (f) => bearer(attackerEdToken({ kid: f.attacker.kid, jwk: f.attacker.publicJwk }, f.fresh(), f.attacker.privateKey)),
  },
  {
    name: "embedded jwk header with the attacker key, server's kid",
    header: (f) => bearer(attackerEdToken({ kid: f.realKid, jwk: { ...f.attacker.publicJwk, kid: f.realKid } }, f.fresh(), f.attacker.privateKey)),
  },
  {
    name: `jku header pointing to ${NOWHERE}`,
    fast: true,
    header: (f) => bearer(attackerEdToken({ kid: f.attacker.kid, jku: `${NOWHERE}/jwks.json` }, f.fresh(), f.attacker.privateKey)),
  },
  {
    name: `x5u header pointing to ${NOWHERE}`,
    fast: true,
    header: (f) => bearer(attackerEdToken({ kid: f.attacker.kid, x5u: `${NOWHERE}/cert.pem` }, f.fresh(), f.attacker.privateKey)),
  },
  {
    name: 'crit header naming an unknown extension (real key)',
    header: (f) => f.signReal({ alg: 'EdDSA', kid: f.realKid, crit: ['x-taskgate'], 'x-taskgate': true }, f.fresh()).then(bearer),
  },
];

function spkiPem(jwk: Json): string {
  return createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

// ---------------------------------------------------------------------------------------------

describe.each(DATABASES)('JWT attacks (%s)', (kind: DbKind) => {
  let f: Fixtures;
  let targets: Target[];
  let victimTask: Json;

  beforeAll(async () => {
    // Rate limits are not under test here and would cut off the hundreds of requests below.
    const api = await startApi(kind, { RATE_LIMIT_ENABLED: 'false' });
    const [victim, other] = await Promise.all([api.registerUser('Victim'), api.registerUser('Other')]);
    const jwks = await api.request<{ keys: Json[] }>('GET', '/api/auth/jwks');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    const serverJwk = jwks.body.keys[0]!;
    const auth = api.built.auth;
    const jwtOptions = (auth.options.plugins as { id: string; options?: unknown }[]).find((p) => p.id === 'jwt')!.options;
    const resolved = await resolveSigningKey({ context: await auth.$context } as never, jwtOptions as never);
    if (!resolved) throw new Error('no signing key');
    expect(resolved.kid).toBe(serverJwk.kid);
    const claims = decodeSegment(victim.accessToken, 1);
    f = {
      api,
      victim,
      other,
      claims,
      realKid: String(serverJwk.kid),
      serverJwk,
      attacker: newEd25519(),
      async signReal(header, payload) {
        const input = signingInput(header, payload);
        const sig = await webcrypto.subtle.sign('Ed25519', resolved.privateKey as webcrypto.CryptoKey, Buffer.from(input));
        return `${input}.${Buffer.from(sig).toString('base64url')}`;
      },
      async forge(payload) {
        const { token } = await auth.api.signJWT({ body: { payload } });
        return token;
      },
      fresh: () => ({ ...claims, iat: now(), exp: now() + 600 }),
    };
    const created = await api.request('POST', '/api/tasks', { token: victim.accessToken, body: { title: 'victim task', description: 'secret' } });
    expect(created.status).toBe(201);
    victimTask = created.body as Json;
    const id = String(victimTask.id);
    targets = makeTargets(api, victim.id, { rest: id, alias: id, gql: id });
  });

  afterAll(async () => {
    await f?.api.close();
  });

  it('control: the signJWT and hand-signed forging paths produce tokens the server accepts', async () => {
    const viaSignJwt = await f.forge(f.fresh());
    const handSigned = await f.signReal({ alg: 'EdDSA', kid: f.realKid, typ: 'JWT' }, f.fresh());
    for (const token of [f.victim.accessToken, viaSignJwt, handSigned]) {
      const res = await f.api.request('GET', '/api/auth/me', { token });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(f.victim.id);
    }
  });

  it('control: a valid access token works on every target', async () => {
    const login = await f.api.request('POST', '/api/auth/login', { body: { email: f.victim.email, password: f.victim.password } });
    expect(login.status).toBe(200);
    const token: string = login.body.accessToken;
    const scratch: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await f.api.request('POST', '/api/tasks', { token, body: { title: `scratch ${i}` } });
      expect(res.status).toBe(201);
      scratch.push(res.body.id);
    }
    const own = makeTargets(f.api, f.victim.id, { rest: scratch[0]!, alias: scratch[1]!, gql: scratch[2]! }, 'control');
    const { outcomes } = await runAll(own, `Bearer ${token}`, true);
    for (const t of own) {
      const o = outcomes[t.name]!;
      expect({ target: t.name, status: o.status }).toEqual({ target: t.name, status: t.okStatus });
      if (t.kind === 'gql') {
        const body = o.body as { data?: Record<string, unknown>; errors?: unknown };
        expect({ target: t.name, errors: body.errors }).toEqual({ target: t.name, errors: undefined });
        expect(body.data?.[t.field!]).toBeTruthy();
      }
    }
    expect((outcomes['POST /graphql { me { id } }']!.body as { data: { me: { id: string } } }).data.me.id).toBe(f.victim.id);
    // The control's own logout revoked only its own session.
    expect((await f.api.request('GET', '/api/auth/me', { token })).status).toBe(401);
    expect((await f.api.request('GET', '/api/auth/me', { token: f.victim.accessToken })).status).toBe(200);
  });

  it('no token: REST answers 401 UNAUTHENTICATED with a bare challenge; GraphQL @auth fields error, health answers', async () => {
    const { outcomes } = await runAll(targets, undefined);
    const expected = Object.fromEntries(
      targets.map((t) => {
        if (t.kind === 'rest') return [t.name, { status: 401, body: REST_MISSING, challenge: MISSING_CHALLENGE }];
        if (t.isPublic) return [t.name, { status: 200, body: { data: { health: 'ok' } }, challenge: null }];
        return [
          t.name,
          {
            status: 200,
            challenge: null,
            body: {
              data: t.nullable ? { [t.field!]: null } : null,
              errors: [
                {
                  message: 'Authentication required.',
                  locations: expect.any(Array),
                  path: [t.field],
                  extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) },
                },
              ],
            },
          },
        ];
      }),
    );
    expect(outcomes).toEqual(expected);
  });

  it('a valid token in the query string or a cookie is not a credential', async () => {
    const viaQuery = await f.api.request('GET', `/api/tasks?access_token=${f.victim.accessToken}`);
    expect([viaQuery.status, viaQuery.body, viaQuery.headers.get('www-authenticate')]).toEqual([401, REST_MISSING, MISSING_CHALLENGE]);
    const viaCookie = await f.api.request('GET', '/api/tasks', {
      headers: { cookie: `access_token=${f.victim.accessToken}; better-auth.session_token=${f.victim.refreshToken}` },
    });
    expect([viaCookie.status, viaCookie.body, viaCookie.headers.get('www-authenticate')]).toEqual([401, REST_MISSING, MISSING_CHALLENGE]);
  });

  it.each(ATTACKS.map((a) => [a.name, a] as const))('rejects %s on every target', async (_name, attack) => {
    const header = await attack.header(f);
    const { outcomes, timings } = await runAll(targets, header, attack.fast);
    expect(outcomes).toEqual(invalidFor(targets));
    if (attack.fast) {
      const slow = Object.entries(timings).filter(([, ms]) => ms >= FAST_MS);
      expect(slow).toEqual([]);
    }
  });

  it('HEAD (auto-created for GET routes) is protected too', async () => {
    for (const path of ['/api/tasks', `/api/tasks/${String(victimTask.id)}`]) {
      const none = await f.api.request('HEAD', path);
      expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, MISSING_CHALLENGE]);
      const bad = await f.api.request('HEAD', path, { token: flipChar(f.victim.accessToken, 2, 10) });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toMatch(INVALID_CHALLENGE);
      const good = await f.api.request('HEAD', path, { token: f.victim.accessToken });
      expect(good.status).toBe(200);
    }
  });

  it('never fetches jku / x5u URLs (a listening server sees no request)', async () => {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [f.attacker.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const extra of [{ jku: `${origin}/jwks.json` }, { x5u: `${origin}/cert.pem` }, { jku: `${origin}/jwks.json`, kid: f.realKid }]) {
        const token = attackerEdToken({ kid: f.attacker.kid, ...extra }, f.fresh(), f.attacker.privateKey);
        const { outcomes } = await runAll(targets, `Bearer ${token}`);
        expect(outcomes).toEqual(invalidFor(targets));
      }
      expect(hits).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a flood of 50 unknown-kid tokens: each 401, the key set is re-read at most once, the server stays up', async () => {
    const getJwks = vi.spyOn(f.api.built.auth.api, 'getJwks');
    try {
      // Control: the spy sees the verifier's key loads (so "at most once" below is observed, not assumed).
      await f.api.built.tokens.reloadKeys();
      expect(getJwks).toHaveBeenCalledTimes(1);
      getJwks.mockClear();
      const tokens = Array.from({ length: 50 }, () => {
        const key = newEd25519();
        return attackerEdToken({ kid: key.kid }, f.fresh(), key.privateKey);
      });
      const results = await Promise.all(tokens.map((token) => f.api.request('GET', '/api/tasks', { token })));
      expect(results.map((r) => [r.status, r.body])).toEqual(tokens.map(() => [401, REST_INVALID]));
      expect(getJwks.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      getJwks.mockRestore();
    }
    const ok = await f.api.request('GET', '/api/tasks', { token: f.victim.accessToken });
    expect(ok.status).toBe(200);
    expect((await f.api.request('GET', '/api/auth/jwks')).status).toBe(200);
  });

  it("better-auth's session routes do not take an access token as a session", async () => {
    const jwt = f.victim.accessToken;
    for (const route of ['/api/auth/get-session', '/api/auth/token']) {
      const res = await f.api.request('GET', route, { token: jwt });
      expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
      expect(res.text).not.toContain(f.victim.id);
    }
    const refresh = await f.api.request('POST', '/api/auth/refresh', { body: { refreshToken: jwt } });
    expect([refresh.status, refresh.body]).toEqual([401, REFRESH_REJECTED]);
    // Control: the victim's session cookie IS a session there, so the refusals above are meaningful.
    const signIn = await f.api.request('POST', '/api/auth/sign-in/email', { body: { email: f.victim.email, password: f.victim.password }, headers: { origin: OWN_ORIGIN } });
    const real = await f.api.request('GET', '/api/auth/get-session', { headers: { cookie: sessionCookie(signIn).pair } });
    expect(real.status).toBe(200);
    expect(real.body.user.id).toBe(f.victim.id);
  });

  it('a session (refresh) token is not an access token on the task routes', async () => {
    const res = await f.api.request('GET', '/api/tasks', { token: f.victim.refreshToken });
    expect([res.status, res.body]).toEqual([401, REST_INVALID]);
    expect(res.headers.get('www-authenticate')).toMatch(INVALID_CHALLENGE);
  });

  it('after logout the access token is rejected at once (REST and GraphQL) and the refresh token is dead', async () => {
    const login = await f.api.request('POST', '/api/auth/login', { body: { email: f.victim.email, password: f.victim.password } });
    expect(login.status).toBe(200);
    const { accessToken, refreshToken } = login.body as { accessToken: string; refreshToken: string };
    // More server-signed access tokens for the same session: revocation must cover the session,
    // not just the token used to log out. `used` is presented before logout (a verification cache
    // holds it), `unused` never is.
    const claims = decodeSegment(accessToken, 1);
    const used = await f.forge({ ...claims, iat: now() - 5, exp: now() + 600 });
    const unused = await f.forge({ ...claims, iat: now() - 6, exp: now() + 600 });
    expect(new Set([accessToken, used, unused]).size).toBe(3);
    expect((await f.api.request('GET', '/api/auth/me', { token: used })).status).toBe(200);
    // Used once before logout, so a verification cache (if any) holds it.
    expect((await f.api.request('GET', '/api/tasks', { token: accessToken })).status).toBe(200);
    expect((await f.api.gql('{ me { id } }', {}, accessToken)).body).toEqual({ data: { me: { id: f.victim.id } } });

    const logout = await f.api.request('POST', '/api/auth/logout', { token: accessToken });
    expect([logout.status, logout.text]).toEqual([204, '']);

    for (const token of [accessToken, used, unused]) {
      const { outcomes } = await runAll(targets, `Bearer ${token}`);
      expect(outcomes).toEqual(invalidFor(targets));
    }
    const again = await f.api.request('POST', '/api/auth/refresh', { body: { refreshToken } });
    expect([again.status, again.body]).toEqual([401, REFRESH_REJECTED]);
    // Other sessions of the same user are untouched.
    expect((await f.api.request('GET', '/api/auth/me', { token: f.victim.accessToken })).status).toBe(200);
  });

  it("signing out through better-auth's own /api/auth/sign-out also revokes the session's access tokens", async () => {
    const signIn = await f.api.request('POST', '/api/auth/sign-in/email', { body: { email: f.victim.email, password: f.victim.password }, headers: { origin: OWN_ORIGIN } });
    expect(signIn.status).toBe(200);
    const cookie = sessionCookie(signIn).pair;
    const minted = await f.api.request('GET', '/api/auth/token', { headers: { cookie } });
    const accessToken = minted.body.token as string;
    expect((await f.api.request('GET', '/api/tasks', { token: accessToken })).status).toBe(200);
    const signOut = await f.api.request('POST', '/api/auth/sign-out', { headers: { cookie, origin: OWN_ORIGIN }, body: {} });
    expect(signOut.status).toBe(200);
    const { outcomes } = await runAll(targets, `Bearer ${accessToken}`);
    expect(outcomes).toEqual(invalidFor(targets));
    const again = await f.api.request('GET', '/api/auth/token', { headers: { cookie } });
    expect(again.status).toBe(401);
    expect((await f.api.request('GET', '/api/auth/me', { token: f.victim.accessToken })).status).toBe(200);
  });

  it("after every attack the victim's task is unchanged, nothing was created, and the victim is still signed in", async () => {
    const res = await f.api.request('GET', `/api/tasks/${String(victimTask.id)}`, { token: f.victim.accessToken });
    expect([res.status, res.body]).toEqual([200, victimTask]);
    const { rows } = await f.api.built.db.query<{ title: string }>(
      `select title from task where title like '%by attack%' or description like '%by attack%'`,
    );
    expect(rows).toEqual([]);
    expect((await f.api.request('GET', '/api/auth/me', { token: f.victim.accessToken })).status).toBe(200);
  });
});
