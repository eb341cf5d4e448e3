import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchAccessToken } from '../../lib/auth/access-token';
import { TokenManager } from '../../lib/auth/token-manager';
import { FakeApi } from '../../test/fake-api';
import { fakeLive } from '../../test/fake-live';
import { createPlaygroundFetcher, definedOperationName } from './fetcher';

let api: FakeApi;
let tokens: TokenManager;
beforeEach(() => {
  api = new FakeApi().signIn().install();
  tokens = new TokenManager({ fetchToken: fetchAccessToken, onSessionEnded: vi.fn() });
});

const ME = { query: 'query Me { me { email } }', operationName: 'Me' };

describe('playground requests', () => {
  it('send the operation name only when the query defines it (GraphiQL can lag one edit behind)', async () => {
    const fetcher = createPlaygroundFetcher(tokens, () => false);
    await fetcher({ query: '{ health }', operationName: 'Health' }, {});
    await fetcher({ query: 'query Health { health }', operationName: 'Health' }, {});
    const names = api.graphqlRequests().map((r) => (r.body as { operationName?: string }).operationName);
    expect(names).toEqual([undefined, 'Health']);
    expect(definedOperationName('query A { health } mutation B { deleteTask(id: "x") }', 'B')).toBe('B');
    expect(definedOperationName('query A { health }', 'Health')).toBeUndefined();
    expect(definedOperationName('{ health }', null)).toBeUndefined();
  });

  it("carry the signed-in user's token, so `me` answers with their email", async () => {
    const fetcher = createPlaygroundFetcher(tokens, () => true);
    expect(await fetcher(ME, {})).toEqual({
      data: { me: { __typename: 'User', id: 'u1', name: 'Ada Lovelace', email: 'ada@example.com' } },
    });
    const sent = api.graphqlRequests()[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.headers.get('content-type')).toBe('application/json');
    expect(sent.headers.get('authorization')).toMatch(/^Bearer /);
  });

  it('signed out, go without a token: health works, me is refused', async () => {
    const fetcher = createPlaygroundFetcher(tokens, () => false);
    expect(await fetcher({ query: 'query Health { health }', operationName: 'Health' }, {})).toEqual({ data: { health: 'ok' } });
    expect(await fetcher(ME, {})).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(api.requests.some((r) => r.path === '/api/auth/token')).toBe(false);
  });

  it('refresh an expired token and retry once', async () => {
    const fetcher = createPlaygroundFetcher(tokens, () => true);
    await fetcher(ME, {});
    api.validTokens.clear();
    expect(await fetcher(ME, {})).toMatchObject({ data: { me: { email: 'ada@example.com' } } });
    expect(api.tokensIssued).toBe(2);
    expect(api.graphqlRequests()).toHaveLength(3);
  });

  it('let an Authorization header typed in GraphiQL win', async () => {
    const fetcher = createPlaygroundFetcher(tokens, () => true);
    await fetcher(ME, { headers: { Authorization: 'Bearer typed-by-hand' } });
    expect(api.graphqlRequests()[0]!.headers.get('authorization')).toBe('Bearer typed-by-hand');
  });

  it('explain an answer that is not GraphQL (API down behind the proxy)', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('Internal Server Error', { status: 500 })),
    );
    const fetcher = createPlaygroundFetcher(tokens, () => false);
    expect(await fetcher({ query: '{ health }' }, {})).toEqual({
      errors: [{ message: 'The API answered HTTP 500 without a GraphQL response. Is it running?' }],
    });
  });
});

/** The parsed document GraphiQL hands the fetcher, reduced to what the fetcher reads. */
const documentOf = (...operations: { operation: string; name?: string }[]) =>
  ({
    kind: 'Document',
    definitions: operations.map(({ operation, name }) => ({
      kind: 'OperationDefinition',
      operation,
      ...(name ? { name: { kind: 'Name', value: name } } : {}),
    })),
  }) as never;

describe('playground subscriptions', () => {
  const TASK_EVENTS = { query: 'subscription TaskEvents { taskEvents { type taskId } }', operationName: 'TaskEvents' };

  it('run over the LiveSocket and show each event as it arrives, until stopped', async () => {
    const { live, ws } = fakeLive(tokens);
    const fetcher = createPlaygroundFetcher(tokens, () => true, '/graphql', () => live);
    const result = (await fetcher(TASK_EVENTS, { documentAST: documentOf({ operation: 'subscription', name: 'TaskEvents' }) })) as {
      subscribe: (observer: { next: (value: unknown) => void; error: () => void; complete: () => void }) => { unsubscribe: () => void };
    };
    const seen: unknown[] = [];
    const subscription = result.subscribe({ next: (value) => seen.push(value), error: vi.fn(), complete: vi.fn() });
    await vi.waitFor(() => expect(live.status).toBe('live'));
    expect((ws.inits[0] as { authorization: string }).authorization).toBe(`Bearer ${tokens.peek()}`);
    expect([...ws.subscriptions][0]!.payload).toEqual({ query: TASK_EVENTS.query, operationName: 'TaskEvents', variables: null });
    expect(api.graphqlRequests()).toHaveLength(0); // not over HTTP

    ws.emit({ type: 'DELETED', taskId: 't7' });
    expect(seen).toEqual([{ data: { taskEvents: { __typename: 'TaskEvent', type: 'DELETED', taskId: 't7', task: null } } }]);
    subscription.unsubscribe();
    expect(ws.subscriptions.size).toBe(0);
  });

  it('pick the operation GraphiQL runs: a query beside a subscription still goes over HTTP', async () => {
    const { live, ws } = fakeLive(tokens);
    const fetcher = createPlaygroundFetcher(tokens, () => true, '/graphql', () => live);
    const both = documentOf({ operation: 'query', name: 'Me' }, { operation: 'subscription', name: 'TaskEvents' });
    await fetcher({ query: `${ME.query} ${TASK_EVENTS.query}`, operationName: 'Me' }, { documentAST: both });
    expect(api.graphqlRequests('Me')).toHaveLength(1);
    expect(ws.subscriptions.size).toBe(0);
  });

  it('signed out, answer that a subscription needs a signed-in user', async () => {
    const fetcher = createPlaygroundFetcher(tokens, () => false);
    const result = (await fetcher(TASK_EVENTS, { documentAST: documentOf({ operation: 'subscription', name: 'TaskEvents' }) })) as {
      subscribe: (observer: { next: (value: unknown) => void; error: () => void; complete: () => void }) => unknown;
    };
    const next = vi.fn();
    const complete = vi.fn();
    result.subscribe({ next, error: vi.fn(), complete });
    expect(next).toHaveBeenCalledWith({ errors: [{ message: 'Subscriptions need a signed-in user: sign in, then run it again.' }] });
    expect(complete).toHaveBeenCalled();
  });
});
