// GraphiQL's fetcher: POST /graphql (same origin, proxied to the API) with the signed-in user's
// access token from memory. A 401 / UNAUTHENTICATED answer refreshes the token and retries once.
// A subscription runs over the user's LiveSocket (graphql-ws on the same /graphql, authenticated
// in connection_init); GraphiQL shows each event as it arrives until the user stops it.
import type { Fetcher, FetcherOpts, FetcherParams, Observable } from '@graphiql/toolkit';
import type { TokenManager } from '../../lib/auth/token-manager';
import type { LiveSocket } from '../../lib/urql/live';

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

interface OperationNode {
  kind: string;
  operation?: string;
  name?: { value: string };
}

/** Whether GraphiQL is about to run a subscription (by the parsed document it hands over). */
export function isSubscription(params: FetcherParams, document: FetcherOpts['documentAST']): boolean {
  const operations = ((document?.definitions ?? []) as readonly OperationNode[]).filter(
    (node) => node.kind === 'OperationDefinition',
  );
  const name = definedOperationName(params.query, params.operationName);
  const operation = name ? operations.find((node) => node.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
  return operation?.operation === 'subscription';
}

type Result = { data?: unknown; errors?: unknown[] };

/** One error result, shown in GraphiQL's response pane. */
function errorResult(message: string): Observable<Result> {
  return {
    subscribe(next?: unknown, _error?: unknown, complete?: unknown) {
      const observer =
        typeof next === 'function'
          ? { next: next as (value: Result) => void, complete: complete as (() => void) | undefined }
          : (next as { next: (value: Result) => void; complete?: () => void });
      observer.next({ errors: [{ message }] });
      observer.complete?.();
      return { unsubscribe: () => undefined };
    },
  } as Observable<Result>;
}

/** A subscription over the LiveSocket, as the Observable GraphiQL reads. */
export function subscriptionResult(live: LiveSocket, params: FetcherParams): Observable<Result> {
  return {
    subscribe(next?: unknown, error?: unknown, complete?: unknown) {
      const observer =
        typeof next === 'function'
          ? {
              next: next as (value: Result) => void,
              error: error as ((reason: unknown) => void) | undefined,
              complete: complete as (() => void) | undefined,
            }
          : (next as { next: (value: Result) => void; error?: (reason: unknown) => void; complete?: () => void });
      const stop = live.subscribe(
        {
          query: params.query,
          operationName: definedOperationName(params.query, params.operationName) ?? null,
          variables: (params.variables as Record<string, unknown> | null | undefined) ?? null,
        },
        {
          next: (value) => observer.next(value as Result),
          // A refusal (an error message): GraphiQL shows it like any other answer.
          error: (reason) =>
            Array.isArray(reason)
              ? (observer.next({ errors: reason as unknown[] }), observer.complete?.())
              : observer.error?.(reason),
          complete: () => observer.complete?.(),
        },
      );
      return { unsubscribe: stop };
    },
  } as Observable<Result>;
}

export function createPlaygroundFetcher(
  tokens: TokenManager,
  isSignedIn: () => boolean,
  url = '/graphql',
  live: () => LiveSocket | null = () => null,
): Fetcher {
  return async (params: FetcherParams, options) => {
    if (isSubscription(params, options?.documentAST)) {
      const socket = live();
      return (
        socket && isSignedIn()
          ? subscriptionResult(socket, params)
          : errorResult('Subscriptions need a signed-in user: sign in, then run it again.')
      ) as never;
    }
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
