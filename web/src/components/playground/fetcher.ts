// GraphiQL's fetcher: POST /graphql (same origin, proxied to the API) with the signed-in user's
// access token from memory. A 401 / UNAUTHENTICATED answer refreshes the token and retries once.
import type { Fetcher, FetcherParams } from '@graphiql/toolkit';
import type { TokenManager } from '../../lib/auth/token-manager';

interface GraphQLBody {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: unknown } }[];
}

function isUnauthenticated(status: number, body: GraphQLBody): boolean {
  return status === 401 || (body.errors ?? []).some((error) => error.extensions?.code === 'UNAUTHENTICATED');
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/**
 * GraphiQL re-parses the editor after a pause, so a query run right after an edit can carry the
 * operation name of what the editor held before (the example's `Health`); the API rightly refuses
 * a name the document does not define. Such a stale name is dropped; a defined one is kept.
 */
export function definedOperationName(query: string, name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  const defined = [...query.matchAll(/\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g)].map((m) => m[1]);
  return defined.includes(name) ? name : undefined;
}

export function createPlaygroundFetcher(tokens: TokenManager, isSignedIn: () => boolean, url = '/graphql'): Fetcher {
  return async (params: FetcherParams, options) => {
    const userHeaders: Record<string, unknown> = options?.headers ?? {};
    // An Authorization header typed into GraphiQL's header editor wins over ours.
    const inject = isSignedIn() && !hasHeader(userHeaders, 'authorization');

    const send = async (token: string | null): Promise<{ status: number; body: GraphQLBody }> => {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(userHeaders as Record<string, string>),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ ...params, operationName: definedOperationName(params.query, params.operationName) }),
      });
      const text = await response.text();
      try {
        return { status: response.status, body: JSON.parse(text) as GraphQLBody };
      } catch {
        return {
          status: response.status,
          body: {
            errors: [
              { message: `The API answered HTTP ${response.status} without a GraphQL response. Is it running?` },
            ],
          },
        };
      }
    };

    const first = await send(inject ? await tokens.get() : null);
    if (inject && isUnauthenticated(first.status, first.body)) {
      const fresh = await tokens.refresh();
      if (fresh) return (await send(fresh)).body as never;
    }
    return first.body as never;
  };
}

/** GraphiQL's storage, kept in memory: no query, result or header outlives the page. */
export function createMemoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
}
