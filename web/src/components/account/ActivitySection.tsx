'use client';

import { useCallback, useEffect, useState } from 'react';
import { describeAccountError } from '../../lib/account/errors';
import { AccountSection } from './AccountForm';
import { describeEventType, formatDateTime } from './format';
import { useAccountApi } from './useAccountApi';

export interface SecurityEvent {
  id: string;
  type: string;
  createdAt: string;
  ip: string | null;
  device: string | null;
  /** How a SIGN_IN was made (password, passkey, totp, backup_code); null otherwise. Absent from older APIs. */
  method?: string | null;
}

interface ActivityPage {
  nodes: SecurityEvent[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export const ACTIVITY_PAGE_SIZE = 10;

/** Security events, newest first, a page at a time ("Load more"). `reloadKey` starts over. */
export function ActivitySection({ reloadKey }: { reloadKey: number }) {
  const call = useAccountApi();
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const fetchPage = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(null);
      const query = new URLSearchParams({ first: String(ACTIVITY_PAGE_SIZE) });
      if (after) query.set('after', after);
      const result = await call<ActivityPage>({ method: 'GET', path: `/api/auth/activity?${query}` });
      setLoading(false);
      if (!result.ok) {
        setError(describeAccountError(result));
        return;
      }
      const page = result.data;
      setEvents((previous) => {
        const known = after && previous ? previous : [];
        const seen = new Set(known.map((event) => event.id));
        return [...known, ...(page?.nodes ?? []).filter((event) => !seen.has(event.id))];
      });
      setNext(page?.pageInfo?.hasNextPage ? page.pageInfo.endCursor : null);
    },
    [call],
  );

  useEffect(() => {
    void fetchPage(null);
  }, [fetchPage, reloadKey]);

  return (
    <AccountSection
      title="Security activity"
      description="Sign-ins and changes to your account over the last 90 days. Networks are shown coarsely."
    >
      {events === null && !error ? <p className="account-loading">Loading your activity…</p> : null}
      {events !== null ? (
        events.length === 0 ? (
          <p className="account-section__intro">Nothing yet.</p>
        ) : (
          <ol className="account-list" aria-label="Security activity">
            {events.map((event) => (
              <li key={event.id} className="account-list__item">
                <div className="account-list__body">
                  <p className="account-list__title">{describeEventType(event.type, event.method)}</p>
                  <p className="account-list__meta">
                    <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time>
                    {event.device ? ` · ${event.device}` : ''}
                    {event.ip ? ` · network ${event.ip}` : ''}
                  </p>
                </div>
              </li>
            ))}
          </ol>
        )
      ) : null}
      {error ? (
        <div role="alert" className="notice notice--error">
          <div className="notice__row">
            <span>{error}</span>
            <button type="button" className="button button--small" onClick={() => void fetchPage(next)}>
              Try again
            </button>
          </div>
        </div>
      ) : null}
      {next && !error ? (
        <div className="load-more">
          <button type="button" className="button" onClick={() => void fetchPage(next)} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </AccountSection>
  );
}
