'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False in the server-rendered HTML and until React has hydrated it, then true. Forms stay
 * read-only until then: text typed into a not-yet-hydrated controlled input is reset by
 * hydration, and a submit before hydration would be a native GET carrying the password in the URL.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
