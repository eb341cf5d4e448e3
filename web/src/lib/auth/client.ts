// better-auth's React client. It talks to `/api/auth/*` on the page's own origin, which Next.js
// proxies to the API, so the session cookie is first-party (docs/decisions/003).
import { createAuthClient } from 'better-auth/react';
import { jwtClient } from 'better-auth/client/plugins';

export const authClient = createAuthClient({
  basePath: '/api/auth',
  plugins: [jwtClient()],
  fetchOptions: {
    // Look `fetch` up on every call rather than capturing it at import time.
    customFetchImpl: (input, init) => globalThis.fetch(input, init),
  },
});

export type SessionUser = typeof authClient.$Infer.Session.user;
