'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { useSession } from '../session/SessionProvider';

export function AppHeader() {
  const { status, user, signOut } = useSession();
  const pathname = usePathname();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onSignOut = async () => {
    setBusy(true);
    setError(null);
    const problem = await signOut();
    if (problem) {
      setError(problem);
      setBusy(false);
    }
  };

  const current = (href: string) => (pathname === href ? 'page' : undefined);

  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link href="/" className="brand">
          Taskgate
        </Link>
        <nav className="app-nav" aria-label="Main">
          {/* The task list is for a signed-in user; signed out, "/" only sends you to sign in. */}
          {status === 'signed-in' ? (
            <Link href="/" aria-current={current('/')}>
              Tasks
            </Link>
          ) : null}
          <Link href="/playground" aria-current={current('/playground')}>
            Playground
          </Link>
        </nav>
        <div className="user-area">
          {status === 'signed-in' && user ? (
            <>
              {/* The name is the way to the account page: no extra control in a header that has to
                  fit a 360 px phone next to a long name. */}
              <Link href="/account" className="user-name user-link" title={user.email} aria-current={current('/account')}>
                <span className="visually-hidden">Account. Signed in as </span>
                <span>{user.name}</span>
              </Link>
              <button type="button" className="button button--small" onClick={onSignOut} disabled={busy}>
                {busy ? 'Signing out…' : 'Sign out'}
              </button>
            </>
          ) : status === 'signed-out' ? (
            <>
              <Link href="/sign-in" className="link-button" aria-current={current('/sign-in')}>
                Sign in
              </Link>
              <Link href="/sign-up" className="button button--small button--primary" aria-current={current('/sign-up')}>
                Sign up
              </Link>
            </>
          ) : null}
        </div>
      </div>
      {error ? (
        <p role="alert" className="notice notice--error header-alert">
          {error}
        </p>
      ) : null}
    </header>
  );
}
