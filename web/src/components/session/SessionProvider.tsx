'use client';

// Who is signed in, the in-memory access token, and the urql client that uses it.
//
// - The session comes from better-auth (`useSession`, backed by the httpOnly session cookie).
// - Each signed-in user gets a fresh urql client and cache, and a LiveSocket for subscriptions
//   (it opens only while a screen subscribes); signed out, there is none.
// - Leaving a session (Sign out, a refused token refresh, a sign-out in another tab) ends with a
//   full page load of /sign-in: nothing of the previous user survives in memory.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';
import { authClient, type SessionUser } from '../../lib/auth/client';
import { fetchAccessToken } from '../../lib/auth/access-token';
import { TokenManager } from '../../lib/auth/token-manager';
import { createUrqlClient } from '../../lib/urql/client';
import { LiveSocket } from '../../lib/urql/live';

/** 'leaving': the session ended and the browser is on its way to /sign-in; show nothing of it. */
export type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'unreachable' | 'leaving';
/** Why the browser is sent to /sign-in; the sign-in page says it in words (SignInForm). */
export type LeaveReason = 'signed-out' | 'expired' | 'deleted';

export interface SessionContextValue {
  status: SessionStatus;
  user: SessionUser | null;
  tokens: TokenManager;
  /** The signed-in user's live-update socket (null signed out, and where WebSocket is missing). */
  live: LiveSocket | null;
  /** Signs out and loads /sign-in. Resolves to an error message if the server could not be reached. */
  signOut: () => Promise<string | null>;
  /** Re-reads the session (after sign-in, or to retry when the server was unreachable). */
  refresh: () => Promise<void>;
  /**
   * Ends a session the server has already ended (the account was deleted): drops the cookie (best
   * effort) and the token, then loads /sign-in with the reason.
   */
  leaveAfter: (reason: LeaveReason) => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() must be used inside <SessionProvider>');
  return value;
}

/** The signed-in user's LiveSocket (null signed out); its own context, so a screen can be tested alone. */
export const LiveSocketContext = createContext<LiveSocket | null>(null);

export function useLiveSocket(): LiveSocket | null {
  return useContext(LiveSocketContext);
}

/** Full page load, so no component state or cache of the previous user survives. */
export function leaveTo(reason: LeaveReason): void {
  window.location.replace(`/sign-in?reason=${reason}`);
}

export function SessionProvider({
  children,
  navigate = leaveTo,
}: {
  children: ReactNode;
  navigate?: (reason: LeaveReason) => void;
}) {
  const session = authClient.useSession();
  const user = session.data?.user ?? null;
  const leaving = useRef(false);
  const [left, setLeft] = useState(false);
  const navigateRef = useRef(navigate);
  navigateRef.current = navigate;

  const leave = useCallback((reason: LeaveReason) => {
    if (leaving.current) return;
    leaving.current = true;
    setLeft(true);
    navigateRef.current(reason);
  }, []);

  const signingOut = useRef(false);
  const [tokens] = useState(
    () =>
      new TokenManager({
        fetchToken: fetchAccessToken,
        // The session behind the token is gone: drop the cookie (best effort) and go.
        onSessionEnded: () => {
          // Our own Sign out ends the session first (the live socket is closed with 4401 and
          // asks for a token meanwhile): that one leaves as "signed out", not "expired".
          if (signingOut.current) return;
          void authClient
            .signOut()
            .catch(() => undefined)
            .finally(() => leave('expired'));
        },
      }),
  );

  const userId = left ? null : (user?.id ?? null);
  const { client, live } = useMemo(() => {
    tokens.clear();
    if (!userId) return { client: null, live: null };
    const socket = typeof WebSocket === 'undefined' ? null : new LiveSocket({ tokens });
    return { client: createUrqlClient(tokens, '/graphql', socket), live: socket };
    // A LiveSocket left behind (another user) needs no disposing: it closes once its last
    // subscription ends, which the old client's screens do as they unmount.
  }, [userId, tokens]);

  // The user disappeared without us signing out: expired, revoked, or signed out in another tab.
  const previousUserId = useRef<string | null>(null);
  useEffect(() => {
    if (previousUserId.current && !userId && !session.isPending && !session.error) leave('expired');
    previousUserId.current = userId;
  }, [userId, session.isPending, session.error, leave]);

  // A page restored from the back/forward cache may hold the previous user's data: reload it.
  useEffect(() => {
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) window.location.reload();
    };
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
  }, []);

  useEffect(() => () => tokens.clear(), [tokens]);

  const signOut = useCallback(async () => {
    const unreachable = 'Cannot reach the server, so you are still signed in. Try again.';
    signingOut.current = true;
    try {
      const { error } = await authClient.signOut();
      if (error && !error.status) {
        signingOut.current = false;
        return unreachable;
      }
    } catch {
      signingOut.current = false;
      return unreachable;
    }
    tokens.clear();
    leave('signed-out');
    return null;
  }, [tokens, leave]);

  const leaveAfter = useCallback(
    async (reason: LeaveReason) => {
      await authClient.signOut().catch(() => undefined);
      tokens.clear();
      leave(reason);
    },
    [tokens, leave],
  );

  const { refetch } = session;
  const refresh = useCallback(() => refetch(), [refetch]);

  const status: SessionStatus = left
    ? 'leaving'
    : user
      ? 'signed-in'
      : session.isPending
        ? 'loading'
        : session.error && !(session.error.status === 401)
          ? 'unreachable'
          : 'signed-out';

  const value = useMemo<SessionContextValue>(
    () => ({ status, user: left ? null : user, tokens, live: left ? null : live, signOut, refresh, leaveAfter }),
    [status, user, left, tokens, live, signOut, refresh, leaveAfter],
  );

  return (
    <SessionContext.Provider value={value}>
      <LiveSocketContext.Provider value={left ? null : live}>
        {client ? <UrqlProvider value={client}>{children}</UrqlProvider> : children}
      </LiveSocketContext.Provider>
    </SessionContext.Provider>
  );
}
