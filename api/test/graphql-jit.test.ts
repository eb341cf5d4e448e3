// Compiled GraphQL execution (graphql/jit.ts) must answer exactly as Apollo's own execution does —
// data, errors, codes, HTTP status — and must only compile documents that are sent repeatedly.
import { buildSchema as buildSdl, parse, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JitExecutor } from '../src/graphql/jit.js';
import { RANDOM_UUID, startApi, type HttpResult, type TestApi, type TestUser } from './support/harness.js';

const TASK_FIELDS = 'id title description completed createdAt updatedAt version';

/** Every kind of answer the graph gives: data, partial data, each error code, variable errors. */
const OPERATIONS: { name: string; query: string; variables?: Record<string, unknown>; operationName?: string; anonymous?: boolean }[] = [
  { name: 'list', query: `{ tasks(first: 3) { nodes { ${TASK_FIELDS} } pageInfo { endCursor hasNextPage } totalCount } }` },
  {
    name: 'list with variables, fragments, aliases and __typename',
    query: `query L($first: Int, $status: TaskStatus) {
      open: tasks(first: $first, status: $status) { __typename nodes { ...T } }
      all: tasks { totalCount }
    }
    fragment T on Task { __typename id title completed }`,
    variables: { first: 2, status: 'PENDING' },
  },
  { name: 'me', query: '{ me { id email name createdAt } }' },
  { name: 'unknown task is null', query: 'query($id: ID!) { task(id: $id) { id } }', variables: { id: RANDOM_UUID } },
  { name: 'malformed id', query: 'query($id: ID!) { task(id: $id) { id } }', variables: { id: 'not-a-uuid' } },
  { name: 'NOT_FOUND on a mutation', query: 'mutation($id: ID!) { toggleTask(id: $id) { id } }', variables: { id: RANDOM_UUID } },
  {
    name: 'BAD_USER_INPUT with details',
    query: 'mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }',
    variables: { input: { title: '   ', description: 'x'.repeat(2001) } },
  },
  { name: 'page size over the limit', query: '{ tasks(first: 101) { nodes { id } } }' },
  { name: 'garbage cursor', query: '{ tasks(after: "garbage") { nodes { id } } }' },
  { name: 'variable of the wrong type (400)', query: 'query($first: Int) { tasks(first: $first) { totalCount } }', variables: { first: 'ten' } },
  { name: 'enum variable out of range (400)', query: 'query($s: TaskStatus) { tasks(status: $s) { totalCount } }', variables: { s: 'ACTIVE' } },
  { name: 'missing required variable (400)', query: 'query($id: ID!) { task(id: $id) { id } }', variables: {} },
  { name: 'unauthenticated', query: '{ me { id } tasks { totalCount } }', anonymous: true },
  { name: 'public field without a token', query: '{ health }', anonymous: true },
  { name: 'the named operation of several', query: 'query A { health } query B { me { name } }', operationName: 'B' },
  { name: 'an operation name the document lacks (400)', query: '{ health }', operationName: 'Me' },
  { name: 'an empty operation name (400)', query: 'query Health { health }', operationName: '' },
  { name: 'several operations, none named (400)', query: 'query A { health } query B { health }' },
  { name: 'several operations, an unknown name (400)', query: 'query A { health } query B { health }', operationName: 'C' },
];

/** The answer with what legitimately differs between two servers (ids, times, cursors, request ids) blanked. */
function normalized(res: HttpResult) {
  const text = res.text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/user-[0-9a-f]+@example\.com/g, '<email>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>')
    .replace(/"(endCursor|id)":"[^"]+"/g, '"$1":"<opaque>"');
  return { status: res.status, body: JSON.parse(text) };
}

describe('compiled GraphQL execution', () => {
  let interpreted: TestApi;
  let compiled: TestApi;
  const users = new Map<TestApi, TestUser>();

  beforeAll(async () => {
    interpreted = await startApi('pglite', { GRAPHQL_JIT_AFTER: '0', RATE_LIMIT_API: '100000/60' });
    compiled = await startApi('pglite', { GRAPHQL_JIT_AFTER: '1', RATE_LIMIT_API: '100000/60' });
    for (const api of [interpreted, compiled]) {
      const user = await api.registerUser('Same Name');
      users.set(api, user);
      for (const title of ['first', 'second', 'third', 'fourth']) {
        const res = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title, description: `about ${title}` } });
        expect(res.status).toBe(201);
      }
    }
  });
  afterAll(async () => {
    await interpreted?.close();
    await compiled?.close();
  });

  it.each(OPERATIONS)('$name: the compiled answer equals graphql-js\'s, every time', async ({ query, variables, operationName, anonymous }) => {
    const send = (api: TestApi) =>
      api.request('POST', '/graphql', { token: anonymous ? undefined : users.get(api)!.accessToken, body: { query, variables, operationName } });
    const expected = normalized(await send(interpreted));
    // The 1st run is on graphql-js, the 2nd compiles, the 3rd runs the kept compiled code.
    for (let run = 1; run <= 3; run++) {
      expect(normalized(await send(compiled)), `run ${run}`).toEqual(expected);
    }
  });

  it('the compiled server really answered from compiled code; the other never compiled', () => {
    expect(compiled.built.graphql.stats().compiled).toBeGreaterThanOrEqual(8);
    expect(compiled.built.graphql.stats().compiledRuns).toBeGreaterThanOrEqual(OPERATIONS.length);
    expect(interpreted.built.graphql.stats()).toMatchObject({ compiled: 0, compiledRuns: 0 });
  });

  it('mutations answered from compiled code run once each, in document order, as graphql-js does', async () => {
    const user = users.get(compiled)!;
    const twice = 'mutation($id: ID!) { a: toggleTask(id: $id) { completed version } b: toggleTask(id: $id) { completed version } }';
    const list = await compiled.gql('{ tasks(first: 1) { nodes { id version } } }', {}, user.accessToken);
    const { id, version } = list.body.data.tasks.nodes[0] as { id: string; version: number };
    // run 1 on graphql-js, runs 2 and 3 compiled: every run toggles twice, a before b
    for (let run = 0; run < 3; run++) {
      const res = await compiled.gql(twice, { id }, user.accessToken);
      expect(res.body, `run ${run + 1}`).toEqual({
        data: { a: { completed: true, version: version + 2 * run + 1 }, b: { completed: false, version: version + 2 * run + 2 } },
      });
    }
  });
});

describe('when a document is compiled', () => {
  const schema = buildSdl('type Query { n(x: Int): Int }');
  schema.getQueryType()!.getFields().n!.resolve = (_root, args: { x?: number }) => args.x ?? 0;
  /** What Apollo hands its executor: the parsed document and the operation it picked from it. */
  const request = (document: DocumentNode) =>
    ({ document, operation: document.definitions[0], operationName: null, context: {}, request: { variables: {} } }) as never;
  const run = (jit: JitExecutor, query: string) => jit.execute(request(parse(query)));

  it('only after it was executed compileAfter times: one-off query texts never cost a compile', async () => {
    const jit = new JitExecutor(schema, { compileAfter: 3, maxCompiled: 10 });
    const document = parse('{ n(x: 7) }');
    for (let i = 0; i < 3; i++) expect(await jit.execute(request(document))).toEqual({ data: { n: 7 } });
    expect(jit.stats()).toEqual({ compiled: 0, compiledRuns: 0, interpretedRuns: 3 });
    expect(await jit.execute(request(document))).toEqual({ data: { n: 7 } });
    expect(jit.stats()).toEqual({ compiled: 1, compiledRuns: 1, interpretedRuns: 3 });

    // 50 distinct texts, each sent once (an attacker's way to make every request a compile)
    for (let i = 0; i < 50; i++) expect(await run(jit, `{ n(x: ${i}) }`)).toEqual({ data: { n: i } });
    expect(jit.stats().compiled).toBe(1);
  });

  it('keeps at most maxCompiled documents; a dropped one is compiled again once it is busy again', async () => {
    const jit = new JitExecutor(schema, { compileAfter: 1, maxCompiled: 2 });
    const documents = [1, 2, 3].map((x) => parse(`{ n(x: ${x}) }`));
    const exec = (document: DocumentNode) => jit.execute(request(document));
    for (const document of documents) {
      await exec(document);
      await exec(document);
    }
    expect(jit.stats()).toMatchObject({ compiled: 2, compiledRuns: 3 });
    expect(await exec(documents[0]!)).toEqual({ data: { n: 1 } }); // dropped: counts again from 0
    expect(jit.stats()).toMatchObject({ compiled: 2, compiledRuns: 3 });
  });

  it('0 turns compiling off', async () => {
    const jit = new JitExecutor(schema, { compileAfter: 0, maxCompiled: 10 });
    for (let i = 0; i < 5; i++) await run(jit, '{ n }');
    expect(jit.stats()).toEqual({ compiled: 0, compiledRuns: 0, interpretedRuns: 5 });
  });
});
