// Runs before every page render: a fresh script nonce per request, handed to Next.js through the
// request's Content-Security-Policy header (Next.js reads it and stamps the nonce on its scripts)
// and sent to the browser as the response's policy. Pages are therefore rendered per request.
//
// It also sends a signed-out visitor of a signed-in-only page straight to /sign-in, before any of
// the page is rendered. "Signed out" here means "no session cookie at all": whether a cookie's
// session is still valid is the API's call, and the page's own check (RequireUser) handles an
// expired or revoked one.
import { getSessionCookie } from 'better-auth/cookies';
import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, createNonce } from './lib/security/csp';

/** Pages that show nothing without a session. */
const SIGNED_IN_ONLY = new Set(['/', '/account']);

export function proxy(request: NextRequest) {
  if (SIGNED_IN_ONLY.has(request.nextUrl.pathname) && !getSessionCookie(request)) {
    return NextResponse.redirect(new URL('/sign-in', request.url));
  }

  const nonce = createNonce();
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === 'development' });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', policy);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages only: not the proxied API (/api/auth/*, /graphql) nor static files.
      source: '/((?!api/|graphql|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
