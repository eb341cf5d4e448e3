'use client';

import { useSyncExternalStore } from 'react';
import type { LiveSocket, LiveStatus } from '../../lib/urql/live';

const LABELS: Record<LiveStatus, string> = {
  idle: 'Connecting…',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

const HINTS: Record<LiveStatus, string> = {
  idle: 'Opening the live connection',
  connecting: 'Opening the live connection',
  live: 'Changes made on your other devices show here as they happen',
  reconnecting: 'The live connection dropped; retrying. Your changes still save.',
};

const never = () => () => undefined;

/** The socket's status, re-rendering on each change; `idle` without a socket. */
export function useLiveStatus(live: LiveSocket | null): LiveStatus {
  return useSyncExternalStore(
    live ? live.onStatus : never,
    () => live?.status ?? 'idle',
    () => 'idle',
  );
}

/** "Live" / "Reconnecting…", as text (a dot alone would say nothing to a screen reader). */
export function LiveIndicator({ status }: { status: LiveStatus }) {
  return (
    <p role="status" className={`live live--${status === 'idle' ? 'connecting' : status}`} title={HINTS[status]}>
      <span className="live__dot" aria-hidden="true" />
      {LABELS[status]}
    </p>
  );
}
