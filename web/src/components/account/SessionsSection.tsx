'use client';

import { useCallback, useEffect, useState } from 'react';
import { describeAccountError } from '../../lib/account/errors';
import { AccountSection, FormResult, failureOutcome, useSubmission } from './AccountForm';
import { formatDateTime } from './format';
import { useAccountApi } from './useAccountApi';

export interface DeviceSession {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string;
  ip: string | null;
  device: string;
}

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; sessions: DeviceSession[] };

/** The user's sessions (this device marked); sign one out, or every other one. `reloadKey` reloads. */
export function SessionsSection({ reloadKey }: { reloadKey: number }) {
  const call = useAccountApi();
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const { busy, outcome, run } = useSubmission();
  const [revoking, setRevoking] = useState<string | null>(null);

  const fetchSessions = useCallback(async () => {
    const result = await call<{ sessions: DeviceSession[] }>({ method: 'GET', path: '/api/auth/sessions' });
    setLoad(
      result.ok
        ? { state: 'ready', sessions: result.data?.sessions ?? [] }
        : { state: 'error', message: describeAccountError(result) },
    );
  }, [call]);

  useEffect(() => {
    void fetchSessions();
  }, [fetchSessions, reloadKey]);

  const revoke = (session: DeviceSession) =>
    run(async () => {
      setRevoking(session.id);
      try {
        const result = await call({ method: 'DELETE', path: `/api/auth/sessions/${encodeURIComponent(session.id)}` });
        if (!result.ok && result.code !== 'NOT_FOUND') return failureOutcome(result);
        await fetchSessions();
        return {
          success: result.ok
            ? `Signed out ${session.device}.`
            : 'That session had already ended.',
        };
      } finally {
        setRevoking(null);
      }
    });

  const revokeOthers = () =>
    run(async () => {
      const result = await call<{ revoked?: number }>({ method: 'DELETE', path: '/api/auth/sessions?scope=others' });
      if (!result.ok) return failureOutcome(result);
      await fetchSessions();
      const count = result.data?.revoked ?? 0;
      return {
        success:
          count === 0
            ? 'There were no other sessions to sign out.'
            : `Signed out ${count} other session${count === 1 ? '' : 's'}.`,
      };
    });

  const sessions = load.state === 'ready' ? load.sessions : [];
  const others = sessions.filter((session) => !session.current).length;

  return (
    <AccountSection
      title="Where you are signed in"
      description="Each browser or app you signed in with. Sign out one you do not recognise, then change your password."
    >
      {load.state === 'loading' ? (
        <p className="account-loading">Loading your sessions…</p>
      ) : load.state === 'error' ? (
        <div role="alert" className="notice notice--error">
          <div className="notice__row">
            <span>{load.message}</span>
            <button type="button" className="button button--small" onClick={() => void fetchSessions()}>
              Try again
            </button>
          </div>
        </div>
      ) : (
        <ul className="account-list" aria-label="Sessions">
          {sessions.map((session) => (
            <li key={session.id} className="account-list__item">
              <div className="account-list__body">
                <p className="account-list__title">
                  {session.device}
                  {session.current ? <span className="badge badge--ok">This device</span> : null}
                </p>
                <p className="account-list__meta">
                  Signed in {formatDateTime(session.createdAt)} · last active {formatDateTime(session.lastUsedAt)}
                  {session.ip ? ` · network ${session.ip}` : ''}
                </p>
              </div>
              {session.current ? null : (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => void revoke(session)}
                  disabled={busy}
                >
                  {revoking === session.id ? 'Signing out…' : 'Sign out'}
                  <span className="visually-hidden">
                    {' '}
                    {session.device}, signed in {formatDateTime(session.createdAt)}
                  </span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others > 0 ? (
        <button type="button" className="button" onClick={() => void revokeOthers()} disabled={busy}>
          {busy && revoking === null ? 'Signing out…' : 'Sign out everywhere else'}
        </button>
      ) : null}
      <FormResult outcome={outcome} />
    </AccountSection>
  );
}
