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
              <span className="user-name" title={user.email}>
                <span className="visually-hidden">Signed in as </span>
                {user.name}
              </span>
              <Link href="/account" className="link-button" aria-current={current('/account')}>
                Account
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
