'use client';

import { useEffect, useState } from 'react';

/**
 * The token of a link from an e-mail (`?token=`), kept in memory; the address bar loses it at
 * once, so it is not left in the history, in a bookmark or on a screen share.
 */
export function useTokenFromLink(fromLink: string | undefined): string | undefined {
  const [token] = useState(fromLink);
  useEffect(() => {
    const url = new URL(window.location.href);
    if (!url.searchParams.has('token')) return;
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }, []);
  return token;
}
