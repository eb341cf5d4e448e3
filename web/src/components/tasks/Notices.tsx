'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface NoticeAction {
  label: string;
  /** What the button does; the notice closes after it. */
  run: () => void;
}

export interface Notice {
  id: number;
  kind: 'error' | 'ok';
  text: string;
  action?: NoticeAction | undefined;
  /** Move keyboard focus to the action when the notice appears (the control the user was on is gone). */
  focusAction?: boolean | undefined;
}

/** How long a confirmation stays; one with an action (Undo) stays longer. Neither goes while focused. */
const CONFIRMATION_MS = 5000;
const ACTION_MS = 10000;

/** Short messages about what just happened (e.g. a rolled-back change), newest first. */
export function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());
  const focused = useRef<number | null>(null);

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setNotices((list) => list.filter((notice) => notice.id !== id));
  }, []);

  const schedule = useCallback(
    (notice: Pick<Notice, 'id' | 'action'>) => {
      const previous = timers.current.get(notice.id);
      if (previous) clearTimeout(previous);
      timers.current.set(
        notice.id,
        setTimeout(
          () => {
            // Never take a message away from under the keyboard focus: wait until it leaves.
            if (focused.current === notice.id) timers.current.delete(notice.id);
            else dismiss(notice.id);
          },
          notice.action ? ACTION_MS : CONFIRMATION_MS,
        ),
      );
    },
    [dismiss],
  );

  const push = useCallback(
    (kind: Notice['kind'], text: string, options: Pick<Notice, 'action' | 'focusAction'> = {}) => {
      const id = nextId.current++;
      // Only the latest confirmation is worth showing; errors stack up (at most three).
      setNotices((list) =>
        [{ id, kind, text, ...options }, ...list.filter((notice) => kind === 'error' || notice.kind !== 'ok')].slice(
          0,
          3,
        ),
      );
      // Confirmations fade on their own; errors stay until dismissed.
      if (kind === 'ok') schedule({ id, action: options.action });
      return id;
    },
    [schedule],
  );

  const onFocusChange = useCallback(
    (notice: Notice, inside: boolean) => {
      focused.current = inside ? notice.id : focused.current === notice.id ? null : focused.current;
      // Leaving a confirmation whose time ran out while focused: it goes after a fresh interval.
      if (!inside && notice.kind === 'ok' && !timers.current.has(notice.id)) schedule(notice);
    },
    [schedule],
  );

  return { notices, push, dismiss, onFocusChange };
}

function overlaps(a: DOMRect, b: DOMRect): boolean {
  return a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/**
 * The messages float over the page (they come and go without moving it), at the bottom of the
 * window, but never over the control that has keyboard focus, nor the form or list row it is in:
 * if they would cover it, they move to the top of the window; if they would cover it there too,
 * confirmations step aside (errors stay).
 */
export function NoticeList({
  notices,
  onDismiss,
  onFocusChange,
}: {
  notices: Notice[];
  onDismiss: (id: number) => void;
  onFocusChange?: (notice: Notice, inside: boolean) => void;
}) {
  const errors = notices.filter((notice) => notice.kind === 'error');
  const confirmations = notices.filter((notice) => notice.kind === 'ok');
  const region = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<'bottom' | 'top'>('bottom');

  const avoidFocus = useCallback(() => {
    const element = region.current;
    const target = document.activeElement;
    if (!element || !target || target === document.body || element.contains(target)) return;
    // Keep clear of the whole form or row being worked in (an edit form's Save and Cancel too).
    const focusRect = (target.closest('form, li') ?? target).getBoundingClientRect();
    // Try the bottom first, then the top; measure each where it would be.
    for (const candidate of ['bottom', 'top'] as const) {
      element.dataset.place = candidate;
      if (!overlaps(element.getBoundingClientRect(), focusRect)) {
        element.dataset.hideConfirmations = 'false';
        setPlace(candidate);
        return;
      }
    }
    element.dataset.place = 'top';
    element.dataset.hideConfirmations = 'true';
    setPlace('top');
  }, []);

  // Check when the messages change and whenever focus moves or the page scrolls.
  useLayoutEffect(() => {
    avoidFocus();
  }, [notices, avoidFocus]);
  useEffect(() => {
    document.addEventListener('focusin', avoidFocus);
    window.addEventListener('scroll', avoidFocus, { passive: true });
    window.addEventListener('resize', avoidFocus);
    return () => {
      document.removeEventListener('focusin', avoidFocus);
      window.removeEventListener('scroll', avoidFocus);
      window.removeEventListener('resize', avoidFocus);
    };
  }, [avoidFocus]);

  return (
    <div className="toasts" ref={region} data-place={place}>
      <div role="alert" aria-live="assertive">
        {errors.map((notice) => (
          <NoticeItem key={notice.id} notice={notice} onDismiss={onDismiss} onFocusChange={onFocusChange} />
        ))}
      </div>
      <div role="status" aria-live="polite" className="toasts__confirmations">
        {confirmations.map((notice) => (
          <NoticeItem key={notice.id} notice={notice} onDismiss={onDismiss} onFocusChange={onFocusChange} />
        ))}
      </div>
    </div>
  );
}

function NoticeItem({
  notice,
  onDismiss,
  onFocusChange,
}: {
  notice: Notice;
  onDismiss: (id: number) => void;
  onFocusChange?: ((notice: Notice, inside: boolean) => void) | undefined;
}) {
  const actionButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (notice.focusAction) actionButton.current?.focus();
  }, [notice.focusAction]);

  return (
    <div
      className={`notice notice--${notice.kind}`}
      onFocus={() => onFocusChange?.(notice, true)}
      onBlur={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) onFocusChange?.(notice, false);
      }}
    >
      <div className="notice__row">
        <span>{notice.text}</span>
        <span className="notice__buttons">
          {notice.action ? (
            <button
              type="button"
              ref={actionButton}
              className="button button--small"
              onClick={() => {
                onDismiss(notice.id);
                notice.action?.run();
              }}
            >
              {notice.action.label}
            </button>
          ) : null}
          <button type="button" className="button button--small button--quiet" onClick={() => onDismiss(notice.id)}>
            Dismiss<span className="visually-hidden"> message</span>
          </button>
        </span>
      </div>
    </div>
  );
}
