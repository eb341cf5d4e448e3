// A server-only better-auth endpoint: starts a session for a user who proved a passkey, exactly as
// a password sign-in starts one (better-auth's createSession: same lifetime, IP and user agent
// from the headers given) and sets the same signed session cookie. It has no URL: better-auth's
// router never serves it; only auth/passkey-store.ts calls it, after verifying an assertion.
import { createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import type { BetterAuthPlugin, StandardSchemaV1 } from 'better-auth';

/** The endpoint's body, `{userId}`, as a Standard Schema (what better-auth validates bodies with). */
const UserIdBody = {
  '~standard': {
    version: 1 as const,
    vendor: 'taskgate',
    validate: (value: unknown) => {
      const userId = (value as { userId?: unknown } | null)?.userId;
      return typeof userId === 'string' ? { value: { userId } } : { issues: [{ message: 'userId is required', path: ['userId'] }] };
    },
  },
} as StandardSchemaV1<{ userId: string }>;

export function passkeySessions() {
  return {
    id: 'taskgate-passkey-sessions',
    endpoints: {
      startPasskeySession: createAuthEndpoint.serverOnly({ method: 'POST', body: UserIdBody }, async (ctx) => {
        const { userId } = ctx.body;
        const user = await ctx.context.internalAdapter.findUserById(userId);
        if (!user) throw new Error('the passkey owner was not found');
        const session = await ctx.context.internalAdapter.createSession(userId);
        await setSessionCookie(ctx, { session, user });
        return ctx.json({ sessionId: session.id, token: session.token });
      }),
    },
  } satisfies BetterAuthPlugin;
}
