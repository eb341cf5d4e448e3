// GraphQL abuse (OWASP API4/API8, ASVS 4.3): query-shape limits (depth 8, aliases 15 including
// __typename, directives 50, tokens 1000, cost 5000, first ≤ 100), no batching, CSRF prevention
// (GET mutations, text/plain and form posts), and in production: no introspection, no
// suggestions, no stack traces, and unexpected errors masked behind a request id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS } from '../../src/graphql/plugin.js';
import { DATABASES, startApi, type DbKind, type HttpResult, type TestApi, type TestUser } from '../support/harness.js';
import { count } from './helpers.js';

/** Depth `n` without recursion in the schema: introspection's `ofType` chain (ignored only for `__schema`). */
function deepQuery(n: number): string {
  let inner = 'name';
  for (let i = 0; i < n - 4; i++) inner = `ofType { ${inner} }`;
  return `{ __type(name: "Task") { fields { type { ${inner} } } } }`;
}
const aliased = (n: number, field = 'health') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const directives = (n: number) => `{ ${Array.from({ length: n }, () => '__typename @include(if: true)').join(' ')} }`;
const PAGE = 'nodes { id title description completed createdAt updatedAt version } pageInfo { endCursor hasNextPage } totalCount';

/** Rejected before execution: HTTP 400, one clear error, no `data`. */
function expectRejected(res: HttpResult, code: string, message: RegExp) {
  expect({ status: res.status, text: res.text }).toMatchObject({ status: 400 });
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors.length).toBeGreaterThanOrEqual(1);
  const hit = res.body.errors.find((e: { message: string }) => message.test(e.message));
  expect(hit, res.text).toBeDefined();
  expect(hit.extensions.code).toBe(code);
  expect(hit.extensions).not.toHaveProperty('stacktrace');
}

describe.each(DATABASES)('GraphQL abuse (%s)', (kind: DbKind) => {
  let api: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi(kind);
    user = await api.registerUser('Gql');
    for (let i = 0; i < 3; i++) expect((await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: `t${i}` } })).status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
  });

  const gql = (query: string, variables?: Record<string, unknown>) => api.gql(query, variables, user.accessToken);
  const tasks = () => count(api, 'select count(*)::int as n from task where owner_id = $1', [user.id]);

  it('the limits are the documented ones', () => {
    expect(GRAPHQL_LIMITS).toEqual({ depth: 8, aliases: 15, directives: 50, tokens: 1000, cost: 5000, introspectionCost: 25_000 });
  });

  describe('depth', () => {
    it('depth 8 answers; depth 9 is GRAPHQL_VALIDATION_FAILED naming the limit', async () => {
      const ok = await gql(deepQuery(8));
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.__type.fields.length).toBeGreaterThan(0);
      expectRejected(await gql(deepQuery(9)), 'GRAPHQL_VALIDATION_FAILED', /^Syntax Error: Query depth limit of 8 exceeded, found 9\.$/);
      expectRejected(await gql(deepQuery(30)), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 8 exceeded, found 30/);
    });

    it('fragments do not hide depth', async () => {
      const viaFragments = `{ __type(name: "Task") { ...F } }
        fragment F on __Type { fields { type { ...G } } }
        fragment G on __Type { ofType { ofType { ofType { ofType { ofType { name } } } } } }`;
      expectRejected(await gql(viaFragments), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 8 exceeded/);
      const inline = `{ __type(name: "Task") { ... on __Type { fields { ... on __Field { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } }`;
      expectRejected(await gql(inline), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 8 exceeded/);
    });
  });

  describe('aliases', () => {
    it('15 aliases answer; 16 are rejected, also when they alias __typename or hide in a fragment', async () => {
      const ok = await gql(aliased(15));
      expect(ok.status).toBe(200);
      expect(Object.keys(ok.body.data)).toHaveLength(15);
      expect((await gql(aliased(15, '__typename'))).status).toBe(200);
      expectRejected(await gql(aliased(16)), 'GRAPHQL_VALIDATION_FAILED', /^Syntax Error: Aliases limit of 15 exceeded, found 16\.$/);
      expectRejected(await gql(aliased(16, '__typename')), 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 15 exceeded, found 16/);
      const fragment = `{ ...F tasks { totalCount } } fragment F on Query { ${Array.from({ length: 16 }, (_, i) => `f${i}: __typename`).join(' ')} }`;
      expectRejected(await gql(fragment), 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 15 exceeded/);
    });

    it('16 aliased createTask mutations are rejected as a whole: nothing is created', async () => {
      const before = await tasks();
      const mutation = `mutation { ${Array.from({ length: 16 }, (_, i) => `m${i}: createTask(input: { title: "alias ${i}" }) { id }`).join(' ')} }`;
      expectRejected(await gql(mutation), 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 15 exceeded, found 16/);
      expect(await tasks()).toBe(before);
    });
  });

  it('50 directives answer; 51 are rejected', async () => {
    const ok = await gql(directives(50));
    expect([ok.status, ok.body]).toEqual([200, { data: { __typename: 'Query' } }]);
    expectRejected(await gql(directives(51)), 'GRAPHQL_VALIDATION_FAILED', /^Syntax Error: Directives limit of 50 exceeded, found 51\.$/);
  });

  it('a document over 1000 tokens is 400 GRAPHQL_PARSE_FAILED (parsing stops), one under it answers', async () => {
    // n named operations of 5 tokens each (`query Qi { health }`); only the one named runs.
    const ops = (n: number) => Array.from({ length: n }, (_, i) => `query Q${i} { health }`).join(' ');
    const send = (query: string) => api.request('POST', '/graphql', { token: user.accessToken, body: { query, operationName: 'Q0' } });
    const ok = await send(ops(200)); // 1000 tokens
    expect([ok.status, ok.body]).toEqual([200, { data: { health: 'ok' } }]);
    expectRejected(await send(ops(201)), 'GRAPHQL_PARSE_FAILED', /^Syntax Error: Document contains more th(?:an|at) 1000 tokens\. Parsing aborted\.$/);
    // a huge document is cut off just the same, without a 500 or a long parse
    const huge = `{ ${'health '.repeat(9000)}}`;
    const started = Date.now();
    expectRejected(await gql(huge), 'GRAPHQL_PARSE_FAILED', /1000 tokens/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  describe('cost', () => {
    it('one page of 100 fits the cost limit; two are rejected naming the limit', async () => {
      const one = await gql(`{ a: tasks(first: 100) { ${PAGE} } }`);
      expect(one.status, one.text).toBe(200);
      expect(one.body.data.a.totalCount).toBe(3);
      expectRejected(await gql(`{ a: tasks(first: 100) { ${PAGE} } b: tasks(first: 100) { ${PAGE} } }`), 'GRAPHQL_VALIDATION_FAILED', /^Query cost limit of 5000 exceeded, found \d+\.$/);
      // out-of-range pages cost as full pages: two of them are still over the limit
      expectRejected(await gql(`{ a: tasks(first: 1000) { ${PAGE} } b: tasks(first: 1000) { ${PAGE} } }`), 'GRAPHQL_VALIDATION_FAILED', /^Query cost limit of 5000 exceeded, found \d+\.$/);
    });

    it('fragments spreading fragments twice over (2^40 paths) are costed at once and refused', async () => {
      const frags = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ');
      const started = Date.now();
      const res = await gql(`{ ...F0 } ${frags} fragment F40 on Query { tasks(first: 100) { totalCount } }`);
      expectRejected(res, 'GRAPHQL_VALIDATION_FAILED', /^Query cost limit of 5000 exceeded, found \d+\.$/);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('the cost limit also holds when `first` comes from a variable', async () => {
      // Same work as the rejected literal query above, times seven.
      const query = `query ($n: Int) { ${Array.from({ length: 15 }, (_, i) => `p${i}: tasks(first: $n) { ${PAGE} }`).join(' ')} }`;
      const res = await gql(query, { n: 100 });
      expect(res.status, res.text.slice(0, 300)).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain(res.body.errors[0].extensions.code);
      expect(res.body.errors[0].message).toMatch(/cost/i);
    });
  });

  it('first: 101 (and 0, -1, 1000, 1000000) is BAD_USER_INPUT on first, as a literal or a variable, not a cost error; no rows are returned', async () => {
    for (const first of [101, 0, -1, 1000, 1_000_000]) {
      const literal = await gql(`{ tasks(first: ${first}) { nodes { id } totalCount } }`);
      const variable = await gql('query ($n: Int) { tasks(first: $n) { nodes { id } totalCount } }', { n: first });
      for (const res of [literal, variable]) {
        expect({ first, status: res.status }).toEqual({ first, status: 200 });
        expect(res.body.data).toBeNull();
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0]).toMatchObject({
          message: 'first: must be an integer from 1 to 100',
          path: ['tasks'],
          extensions: { code: 'BAD_USER_INPUT', details: [{ field: 'first', message: 'must be an integer from 1 to 100' }], requestId: expect.any(String) },
        });
      }
    }
    const max = await gql('{ tasks(first: 100) { totalCount } }');
    expect(max.body).toEqual({ data: { tasks: { totalCount: 3 } } });
  });

  describe('transport (CSRF prevention, batching)', () => {
    const create = (title: string) => `mutation { createTask(input: { title: "${title}" }) { id } }`;

    it('a batched array body is 400 and none of it runs', async () => {
      const before = await tasks();
      const res = await api.request('POST', '/graphql', { token: user.accessToken, body: [{ query: create('batch 1') }, { query: create('batch 2') }] });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(res.text).toMatch(/batch/i);
      expect(await tasks()).toBe(before);
    });

    it('a mutation over GET is 405 with a preflight header and 400 (CSRF) without one; nothing is created', async () => {
      const before = await tasks();
      const path = `/graphql?query=${encodeURIComponent(create('via GET'))}`;
      const preflighted = await api.request('GET', path, { token: user.accessToken, headers: { 'apollo-require-preflight': 'true' } });
      expect(preflighted.status).toBe(405);
      expect(preflighted.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(preflighted.body.errors[0].message).toMatch(/mutation.*GET|GET.*mutation|POST/i);
      expect(preflighted.headers.get('allow')).toBe('POST');
      const simple = await api.request('GET', path, { token: user.accessToken });
      expect(simple.status).toBe(400);
      expect(simple.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(simple.body.errors[0].message).toMatch(/CSRF/);
      for (const res of [preflighted, simple]) expect(res.body.data).toBeUndefined();
      expect(await tasks()).toBe(before);
    });

    it('a text/plain POST is 400 (CSRF) and not executed; form and multipart POSTs are 415 and never reach GraphQL', async () => {
      const before = await tasks();
      const send = (contentType: string) =>
        api.request('POST', '/graphql', { token: user.accessToken, rawBody: JSON.stringify({ query: create('simple request') }), headers: { 'content-type': contentType } });
      for (const contentType of ['text/plain', 'text/plain; charset=utf-8']) {
        const res = await send(contentType);
        expect({ contentType, status: res.status }).toEqual({ contentType, status: 400 });
        expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
        expect(res.body.errors[0].message).toMatch(/CSRF/);
        expect(res.body.data).toBeUndefined();
      }
      for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await send(contentType);
        expect({ contentType, status: res.status }).toEqual({ contentType, status: 415 });
        expect(res.body).toEqual({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send JSON with Content-Type: application/json.', requestId: expect.any(String) } });
      }
      expect(await tasks()).toBe(before);
    });
  });
});

describe.each(DATABASES)('GraphQL in production (%s)', (kind: DbKind) => {
  let api: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi(kind, { NODE_ENV: 'production' });
    user = await api.registerUser('Prod');
  });
  afterAll(async () => {
    await api?.close();
  });

  const gql = (query: string, variables?: Record<string, unknown>) => api.gql(query, variables, user.accessToken);

  it('introspection is off (even hidden in a fragment or under an alias)', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Task") { name } }', '{ x: __schema { queryType { name } } }', '{ ...F } fragment F on Query { __schema { types { name } } }']) {
      const res = await gql(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.text).not.toMatch(/"(TaskPage|createTask|TaskStatus)"/);
    }
    // __typename is not introspection
    expect((await gql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('no "Did you mean" anywhere: fields, arguments, enum values (literal or variable), input fields, types', async () => {
    const cases: [string, Record<string, unknown> | undefined][] = [
      ['{ healht }', undefined],
      ['{ tasks { nodez { id } } }', undefined],
      ['{ tasks(firts: 1) { totalCount } }', undefined],
      ['{ tasks(status: PENDNG) { totalCount } }', undefined],
      ['query ($s: TaskStatus) { tasks(status: $s) { totalCount } }', { s: 'PENDNG' }],
      ['mutation { createTask(input: { titel: "x" }) { id } }', undefined],
      ['mutation ($i: CreateTaskInput!) { createTask(input: $i) { id } }', { i: { title: 'x', descripton: 'y' } }],
      ['query ($s: TaskStatu) { tasks(status: $s) { totalCount } }', { s: 'ALL' }],
    ];
    const leaks: { query: string; text: string }[] = [];
    for (const [query, variables] of cases) {
      const res = await gql(query, variables);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      if (/Did you mean|"(health|nodes|first|PENDING|title|description|TaskStatus)"/i.test(res.text)) leaks.push({ query, text: res.text });
    }
    expect(leaks).toEqual([]);
  });

  it('messages without their suggestions end cleanly (no "[Suggestion hidden]?" left behind)', async () => {
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      ['{ healht }', undefined, 'Cannot query field "healht" on type "Query".'],
      ['{ tasks(firts: 1) { totalCount } }', undefined, 'Unknown argument "firts" on field "Query.tasks".'],
      ['{ tasks(status: PENDNG) { totalCount } }', undefined, 'Value "PENDNG" does not exist in "TaskStatus" enum.'],
      ['query ($s: TaskStatu) { tasks(status: $s) { totalCount } }', { s: 'ALL' }, 'Unknown type "TaskStatu".'],
      [
        'query ($s: TaskStatus) { tasks(status: $s) { totalCount } }',
        { s: 'PENDNG' },
        'Variable "$s" got invalid value "PENDNG"; Value "PENDNG" does not exist in "TaskStatus" enum.',
      ],
      [
        'mutation ($i: CreateTaskInput!) { createTask(input: $i) { id } }',
        { i: { title: 'x', descripton: 'y' } },
        'Variable "$i" got invalid value { title: "x", descripton: "y" }; Field "descripton" is not defined by type "CreateTaskInput".',
      ],
    ];
    for (const [query, variables, message] of cases) {
      const res = await gql(query, variables);
      expect({ query, status: res.status, messages: res.body.errors.map((e: { message: string }) => e.message) }).toEqual({ query, status: 400, messages: [message] });
    }
  });

  it('no stack traces in any error: parse, validation, user input, auth, masked', async () => {
    const responses = [
      await gql('{ tasks { '),
      await gql('{ nope }'),
      await gql('{ tasks(first: 0) { totalCount } }'),
      await api.gql('{ me { id } }'),
      await gql(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: health`).join(' ')} }`),
    ];
    for (const res of responses) {
      expect(res.text).not.toMatch(/stacktrace|\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
    }
  });

  it('an unexpected database error is masked: INTERNAL_SERVER_ERROR with the request id, no SQL; REST the same', async () => {
    const table = `task_gone_${Date.now()}`;
    await api.built.db.query(`alter table task rename to ${table}`);
    let gqlRes: HttpResult;
    let mutationRes: HttpResult;
    let restRes: HttpResult;
    try {
      gqlRes = await gql('{ tasks { nodes { id } totalCount } }');
      mutationRes = await gql('mutation { createTask(input: { title: "while broken" }) { id } }');
      restRes = await api.request('GET', '/api/tasks', { token: user.accessToken });
    } finally {
      await api.built.db.query(`alter table ${table} rename to task`);
    }
    for (const [field, res] of [['tasks', gqlRes], ['createTask', mutationRes]] as const) {
      expect(res.status, res.text).toBe(200);
      expect(res.body.data).toBeNull();
      expect(res.body.errors).toHaveLength(1);
      const [error] = res.body.errors;
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(error).toEqual({
        message: `Internal server error. (request id ${requestId})`,
        locations: expect.any(Array),
        path: [field],
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
      });
      expect(res.text).not.toMatch(new RegExp(`${table}|relation|select|insert|does not exist|42P01|postgres|pglite`, 'i'));
    }
    const requestId = restRes.headers.get('x-request-id');
    expect([restRes.status, restRes.body]).toEqual([500, { error: { code: 'INTERNAL_SERVER_ERROR', message: `Internal server error (request id ${requestId}).`, requestId } }]);
    // and the service is whole again
    expect((await gql('{ tasks { totalCount } }')).body).toEqual({ data: { tasks: { totalCount: 0 } } });
  });

  it('the shape limits hold in production too', async () => {
    expectRejected(await gql(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: health`).join(' ')} }`), 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 15 exceeded/);
    expectRejected(await gql(directives(51)), 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 50 exceeded/);
    expectRejected(await gql(`{ ${'health '.repeat(1100)}}`), 'GRAPHQL_PARSE_FAILED', /1000 tokens/);
  });
});
