// A stand-in for `next/navigation` in component tests (the app router cannot run in jsdom):
//   vi.mock('next/navigation', () => import('../../test/fake-router'));
// The URL lives in jsdom's own location and history, so push, replace and history.back() behave as
// in a browser, and components that read useSearchParams() re-render when it changes.
import { useMemo, useSyncExternalStore } from 'react';
import { vi } from 'vitest';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const router = {
  push: vi.fn((href: string) => {
    window.history.pushState(null, '', href);
    notify();
  }),
  replace: vi.fn((href: string) => {
    window.history.replaceState(null, '', href);
    notify();
  }),
  back: vi.fn(() => window.history.back()),
  forward: vi.fn(() => window.history.forward()),
  refresh: vi.fn(),
  prefetch: vi.fn(),
};

export function useRouter() {
  return router;
}

export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function useSearchParams(): URLSearchParams {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return useMemo(() => new URLSearchParams(search), [search]);
}

/** Waits for the next popstate (history.back() and forward() are asynchronous in jsdom too). */
export function nextPopState(): Promise<void> {
  return new Promise((resolve) => window.addEventListener('popstate', () => resolve(), { once: true }));
}
