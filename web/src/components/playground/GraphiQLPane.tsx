'use client';

// Loaded only in the browser (next/dynamic, ssr: false). Everything comes from our own bundle:
// the webpack worker setup serves Monaco's workers from /_next/static, so no CDN is involved.
import 'graphiql/setup-workers/webpack';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { useEffect, useMemo, useRef } from 'react';
import type { TokenManager } from '../../lib/auth/token-manager';
import type { LiveSocket } from '../../lib/urql/live';
import { keepGraphiQLTabsFixed } from './a11y';
import { exampleTabs } from './examples';
import { createMemoryStorage, createPlaygroundFetcher } from './fetcher';

export default function GraphiQLPane({
  tokens,
  signedIn,
  live,
}: {
  tokens: TokenManager;
  signedIn: boolean;
  live: LiveSocket | null;
}) {
  const fetcher = useMemo(
    () => createPlaygroundFetcher(tokens, () => signedIn, '/graphql', () => live),
    [tokens, signedIn, live],
  );
  const storage = useMemo(() => createMemoryStorage(), []);
  const tabs = useMemo(() => exampleTabs(signedIn), [signedIn]);
  const frame = useRef<HTMLDivElement>(null);

  useEffect(() => (frame.current ? keepGraphiQLTabsFixed(frame.current) : undefined), []);

  return (
    <div ref={frame} className="playground-graphiql">
      <GraphiQL
        fetcher={fetcher}
        storage={storage}
        defaultTabs={tabs}
        shouldPersistHeaders={false}
        defaultEditorToolsVisibility="variables"
        forcedTheme="light"
      >
        {/* Our own mark instead of GraphiQL's low-contrast logo (a link off this site). */}
        <GraphiQL.Logo>
          <span className="playground-logo">Taskgate API</span>
        </GraphiQL.Logo>
      </GraphiQL>
    </div>
  );
}
