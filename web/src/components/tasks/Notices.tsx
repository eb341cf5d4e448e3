'use client';

import { useCallback, useRef, useState } from 'react';

export interface Notice {
  id: number;
  kind: 'error' | 'ok';
  text: string;
}

/** Short messages about what just happened (e.g. a rolled-back change), newest first. */
export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setNotices((list) => list.filter((notice) => notice.id !== id));
  }, []);

  const push = useCallback(
    (kind: Notice['kind'], text: string) => {
      const id = nextId.current++;
      // Only the latest confirmation is worth showing; errors stack up (at most three).
      setNotices((list) =>
        [{ id, kind, text }, ...list.filter((notice) => kind === 'error' || notice.kind !== 'ok')].slice(0, 3),
      );
      // Confirmations fade on their own; errors stay until dismissed.
      if (kind === 'ok')
        timers.current.set(
          id,
          setTimeout(() => dismiss(id), 5000),
        );
    },
    [dismiss],
  );

  return { notices, push, dismiss };
}

export function NoticeList({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: number) => void }) {
  const errors = notices.filter((notice) => notice.kind === 'error');
  const confirmations = notices.filter((notice) => notice.kind === 'ok');
  // Fixed at the bottom of the window: messages come and go without moving the page.
  return (
    <div className="toasts">
      <div role="alert" aria-live="assertive">
        {errors.map((notice) => (
          <NoticeItem key={notice.id} notice={notice} onDismiss={onDismiss} />
        ))}
      </div>
      <div role="status" aria-live="polite">
        {confirmations.map((notice) => (
          <NoticeItem key={notice.id} notice={notice} onDismiss={onDismiss} />
        ))}
      </div>
    </div>
  );
}

function NoticeItem({ notice, onDismiss }: { notice: Notice; onDismiss: (id: number) => void }) {
  return (
    <div className={`notice notice--${notice.kind}`}>
      <div className="notice__row">
        <span>{notice.text}</span>
        <button type="button" className="button button--small" onClick={() => onDismiss(notice.id)}>
          Dismiss<span className="visually-hidden"> message</span>
        </button>
      </div>
    </div>
  );
}
