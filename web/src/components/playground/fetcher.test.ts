import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchAccessToken } from '../../lib/auth/access-token';
import { TokenManager } from '../../lib/auth/token-manager';
import { FakeApi } from '../../test/fake-api';
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
