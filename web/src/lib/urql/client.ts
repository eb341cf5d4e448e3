// One urql client per signed-in user (a new user gets a new, empty cache).
//   graphcache → subscriptions (graphql-ws, live.ts) → auth → fetch
// Subscriptions go over the user's LiveSocket, which authenticates itself in connection_init;
// The auth exchange attaches the in-memory JWT, refreshes it shortly before expiry
// (willAuthError) and after a 401 / UNAUTHENTICATED (didAuthError), retrying the operation once.
import { Client, fetchExchange, subscriptionExchange, type Exchange, type ExecutionResult } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { cacheExchange } from '@urql/exchange-graphcache';
import type { TokenManager } from '../auth/token-manager';
import { isAuthError } from '../graphql-errors';
import { cacheConfig } from './cache';
import type { LiveSocket } from './live';

function liveExchange(live: LiveSocket): Exchange {
  return subscriptionExchange({
    forwardSubscription: (request) => ({
      subscribe: (sink) => ({
        unsubscribe: live.subscribe({ ...request, query: request.query ?? '' }, {
          next: (result) => sink.next(result as ExecutionResult),
          error: (error) => sink.error(error),
          complete: () => sink.complete(),
        }),
      }),
    }),
  });
}

/** Without `live`, subscriptions are not served (the screens pause them). */
export function createUrqlClient(tokens: TokenManager, url = '/graphql', live?: LiveSocket | null): Client {
  return new Client({
    url,
    // Apollo's CSRF prevention refuses simple GET requests: always POST JSON.
    preferGetMethod: false,
    exchanges: [
      cacheExchange(cacheConfig),
      ...(live ? [liveExchange(live)] : []),
      authExchange(async (utils) => ({
        addAuthToOperation(operation) {
          const token = tokens.peek();
          return token ? utils.appendHeaders(operation, { Authorization: `Bearer ${token}` }) : operation;
        },
        willAuthError: () => tokens.needsRefresh(),
        didAuthError: (error) => isAuthError(error),
        async refreshAuth() {
          await tokens.refresh();
        },
      })),
      fetchExchange,
    ],
  });
}
