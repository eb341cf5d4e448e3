'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { useSession } from '../session/SessionProvider';

const GraphiQLPane = dynamic(() => import('./GraphiQLPane'), {
  ssr: false,
  loading: () => <p className="playground-loading">Loading the editor…</p>,
});

export function PlaygroundScreen() {
  const { status, user, tokens, live } = useSession();
  const signedIn = status === 'signed-in';

  return (
    <>
      <div className="playground-intro">
        <h1>GraphQL playground</h1>
        {status === 'loading' ? (
          <p className="notice notice--info">Checking your session…</p>
        ) : signedIn ? (
          <p className="notice notice--info" role="status">
            Signed in as <strong>{user?.email}</strong>: every request carries your access token. Run the operation in
            the first tab with the ▶ button or Ctrl+Enter.
          </p>
        ) : (
          <div className="notice notice--info" role="status">
            <p className="notice__p">
              You are not signed in, so only <code>health</code> works here. <Link href="/sign-in">Sign in</Link> and
              the playground adds your access token to every request.
            </p>
            <p className="notice__p">
              Outside the app: sign in via <code>POST /api/auth/sign-in/email</code>, then{' '}
              <code>GET /api/auth/token</code> with the session cookie returns <code>{'{ "token": "…" }'}</code>; send
              it as <code>Authorization: Bearer &lt;token&gt;</code> to <code>POST /graphql</code>.
            </p>
          </div>
        )}
      </div>
      <div className="playground-frame">
        {/* Keyed by the user: a different user (or none) gets a fresh editor with no old results. */}
        {status === 'loading' ? null : (
          <GraphiQLPane key={user?.id ?? 'anonymous'} tokens={tokens} signedIn={signedIn} live={live} />
        )}
      </div>
    </>
  );
}
