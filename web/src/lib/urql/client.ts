// One urql client per signed-in user (a new user gets a new, empty cache).
//   graphcache → auth → fetch
// The auth exchange attaches the in-memory JWT, refreshes it shortly before expiry
// (willAuthError) and after a 401 / UNAUTHENTICATED (didAuthError), retrying the operation once.
import { Client, fetchExchange } from '@urql/core';
import { authExchange } from '@urql/exchange-auth';
import { cacheExchange } from '@urql/exchange-graphcache';
import type { TokenManager } from '../auth/token-manager';
import { isAuthError } from '../graphql-errors';
import { cacheConfig } from './cache';

export function createUrqlClient(tokens: TokenManager, url = '/graphql'): Client {
  return new Client({
    url,
    // Apollo's CSRF prevention refuses simple GET requests: always POST JSON.
    preferGetMethod: false,
    exchanges: [
      cacheExchange(cacheConfig),
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
