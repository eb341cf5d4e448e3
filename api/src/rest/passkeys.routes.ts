// Passkeys over REST — translation only: each route reads the request, calls the passkey service
// (domain/accounts/passkeys.service.ts) and writes its answer. The signed-in user's passkeys
// (add in two steps, list, rename, remove) take the access token; signing in with one has a REST
// door (the usual token body) and the web app's cookie door (better-auth's session cookie).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { mintAccessToken, type Auth } from '../auth/better-auth.js';
import type { PasskeyService } from '../domain/accounts/passkeys.service.js';
import type { PasskeyRecord } from '../domain/accounts/passkey.types.js';
import type { StartedSession } from '../domain/accounts/account.types.js';
import { requireJsonBody } from '../plugins/security.js';
import { accountRequest } from './auth.routes.js';
import { requireViewer } from './rest-viewer.js';
import {
  AddPasskeyBody,
  CookieSignInBody,
  CreationOptionsBody,
  OnePasskeyBody,
  PasskeyAssertionBody,
  PasskeyListBody,
  PasskeyNameBody,
  PasskeyParams,
  PasskeyPasswordBody,
  RequestOptionsBody,
  TokenBody,
  errorResponses,
} from './schemas.js';

export interface PasskeyRoutesOptions {
  auth: Auth;
  passkeys: PasskeyService;
  accessTokenTtlSeconds: number;
}

const publicUser = (user: StartedSession['user']) => ({ id: user.id, email: user.email, name: user.name, createdAt: new Date(user.createdAt) });
const passkeyJson = (passkey: PasskeyRecord) => ({ ...passkey });

const passkeyRoutes: FastifyPluginAsyncTypebox<PasskeyRoutesOptions> = async (app, { auth, passkeys, accessTokenTtlSeconds }) => {
  app.addHook('onRequest', requireJsonBody);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  const common = { tags: ['passkeys'] };
  const bearer = { security: [{ bearerAuth: [] }] };
  const signedIn = { onRequest: requireViewer };

  app.post(
    '/api/auth/passkeys/options',
    {
      ...signedIn,
      schema: {
        ...common,
        ...bearer,
        summary: 'Add a passkey, step 1: your password, then WebAuthn creation options (valid 5 minutes, for one response)',
        description: 'A wrong password: 401 INVALID_CREDENTIALS (counts as a failed sign-in).',
        body: PasskeyPasswordBody,
        response: { 200: CreationOptionsBody, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => passkeys.registrationOptions(request.viewer!, request.body, accountRequest(request)),
  );

  app.post(
    '/api/auth/passkeys',
    {
      ...signedIn,
      schema: {
        ...common,
        ...bearer,
        summary: 'Add a passkey, step 2: its name (1–64 characters) and the authenticator’s response to the options',
        description:
          'A challenge that is unknown, used or expired: 400 PASSKEY_CHALLENGE_INVALID. A response made for another origin or that does not verify: 400 PASSKEY_REJECTED. A credential registered already: 409 CONFLICT.',
        body: AddPasskeyBody,
        response: { 201: OnePasskeyBody, ...errorResponses(400, 401, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => reply.code(201).send({ passkey: passkeyJson(await passkeys.register(request.viewer!, request.body, accountRequest(request))) }),
  );

  app.get(
    '/api/auth/passkeys',
    { ...signedIn, schema: { ...common, ...bearer, summary: 'Your passkeys, newest first', response: { 200: PasskeyListBody, ...errorResponses(401) } } },
    async (request) => ({ passkeys: (await passkeys.list(request.viewer!)).map(passkeyJson) }),
  );

  app.patch(
    '/api/auth/passkeys/:id',
    {
      ...signedIn,
      schema: {
        ...common,
        ...bearer,
        summary: "Rename one of your passkeys. Another user's or an unknown id: 404",
        params: PasskeyParams,
        body: PasskeyNameBody,
        response: { 200: OnePasskeyBody, ...errorResponses(400, 401, 404, 413, 415) },
      },
    },
    async (request) => ({ passkey: passkeyJson(await passkeys.rename(request.viewer!, request.params.id, request.body)) }),
  );

  app.delete(
    '/api/auth/passkeys/:id',
    {
      ...signedIn,
      schema: {
        ...common,
        ...bearer,
        summary: "Remove one of your passkeys (password required). Another user's or an unknown id: 404",
        params: PasskeyParams,
        body: PasskeyPasswordBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      await passkeys.remove(request.viewer!, request.params.id, request.body, accountRequest(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/passkey/options',
    {
      schema: {
        ...common,
        summary: 'Sign in with a passkey, step 1: WebAuthn request options (no account named; valid 5 minutes, for one response)',
        response: { 200: RequestOptionsBody, ...errorResponses(429) },
      },
    },
    async (request) => passkeys.signInOptions(accountRequest(request)),
  );

  app.post(
    '/api/auth/passkey/login',
    {
      schema: {
        ...common,
        summary: 'Sign in with a passkey, step 2: the authenticator’s response; returns tokens, as POST /api/auth/login does',
        description:
          'A challenge that is unknown, used or expired: 400 PASSKEY_CHALLENGE_INVALID. A response made for another origin or that does not verify: 400 PASSKEY_REJECTED. A passkey no account has: 401 INVALID_CREDENTIALS.',
        body: PasskeyAssertionBody,
        response: { 200: TokenBody, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => {
      const session = await passkeys.signIn(request.body, accountRequest(request));
      return {
        user: publicUser(session.user),
        accessToken: await mintAccessToken(auth, { id: session.sessionId, userId: session.user.id }),
        tokenType: 'Bearer' as const,
        expiresIn: accessTokenTtlSeconds,
        refreshToken: session.sessionToken,
      };
    },
  );

  app.post(
    '/api/auth/sign-in/passkey',
    {
      schema: {
        ...common,
        summary: 'The web app’s passkey sign-in: as POST /api/auth/passkey/login, but the session is set as the session cookie (no tokens in the body)',
        body: PasskeyAssertionBody,
        response: { 200: CookieSignInBody, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const session = await passkeys.signIn(request.body, accountRequest(request));
      reply.header('set-cookie', session.cookies);
      return { user: publicUser(session.user) };
    },
  );
};

export default passkeyRoutes;
