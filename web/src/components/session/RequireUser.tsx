'use client';

import { useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useSession } from './SessionProvider';

/**
 * Renders children only for a signed-in user; otherwise `placeholder` (same size as the real
 * content, so nothing jumps) while the session loads or the browser moves to /sign-in.
 */
export function RequireUser({ children, placeholder }: { children: ReactNode; placeholder: ReactNode }) {
  const { status, refresh } = useSession();
  const router = useRouter();

  useEffect(() => {
    if (status === 'signed-out') router.replace('/sign-in');
  }, [status, router]);

  if (status === 'signed-in') return <>{children}</>;
  if (status === 'unreachable') {
    return (
      <div role="alert" className="notice notice--error">
        <div className="notice__row">
          <span>Cannot reach the server to check your session. Check your connection and try again.</span>
          <button type="button" className="button button--small" onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  return <>{placeholder}</>;
}
