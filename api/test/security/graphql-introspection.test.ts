// GraphQL tooling and introspection: GraphiQL, codegen, Postman and friends send graphql-js's
// getIntrospectionQuery(); it must load the schema wherever introspection is on (development and
// test; production only with GRAPHQL_INTROSPECTION=true), with every option graphql 16 offers,
// while introspection keeps limits of its own: its own cost budget (less than two full
// introspections), graphql-js's circular-introspection rule, and the alias and depth limits.
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  Kind,
  lexicographicSortSchema,
  parse,
  print,
  printSchema,
  type FieldNode,
  type IntrospectionOptions,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { GRAPHQL_LIMITS } from '../../src/graphql/plugin.js';
import { readRepoFile } from '../support/readme.js';
import { DATABASES, PRODUCTION_MAIL, startApi, type DbKind, type HttpResult, type TestApi } from '../support/harness.js';

/** Every option of graphql 16.15's getIntrospectionQuery, alone and all together. */
const ALL_OPTIONS: IntrospectionOptions = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  experimentalDirectiveDeprecation: true,
  oneOf: true,
};
const VARIANTS: [string, IntrospectionOptions][] = [
  ['defaults', {}],
  ['descriptions: false', { descriptions: false }],
  ...Object.keys(ALL_OPTIONS)
    .filter((k) => k !== 'descriptions')
    .map((k): [string, IntrospectionOptions] => [`${k}: true`, { [k]: true }]),
  ['every option', ALL_OPTIONS],
];

/** graphql-cop's "circular introspection" probe: fields → type → fields … under __schema. */
const CIRCULAR =
  'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }';

/** The same schema-only operation as getIntrospectionQuery(), its `__schema` field repeated under `n` aliases. */
function aliasedIntrospection(n: number): string {
  const doc = parse(getIntrospectionQuery());
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const schemaField = op.selectionSet.selections[0] as FieldNode;
  const copies = Array.from({ length: n }, (_, i): FieldNode => ({ ...schemaField, alias: { kind: Kind.NAME, value: `s${i}` } }));
  return print({ ...doc, definitions: doc.definitions.map((d) => (d === op ? { ...op, selectionSet: { ...op.selectionSet, selections: copies } } : d)) });
}

/** The repository's schema.graphql as a client sees it (applied directives are not introspectable). */
const PUBLISHED = printSchema(lexicographicSortSchema(buildSchema(readRepoFile('schema.graphql'))));

function expectRejected(res: HttpResult, message: string | RegExp) {
  expect({ status: res.status, text: res.text.slice(0, 300) }).toMatchObject({ status: 400 });
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  if (typeof message === 'string') expect(res.body.errors[0].message).toBe(message);
  else expect(res.body.errors[0].message).toMatch(message);
}

function expectSchemaLoaded(res: HttpResult<{ data: IntrospectionQuery; errors?: unknown }>) {
  expect({ status: res.status, errors: res.body.errors }).toEqual({ status: 200, errors: undefined });
  const schema = buildClientSchema(res.body.data);
  expect(Object.keys(schema.getType('Task')!.toConfig()).length).toBeGreaterThan(0);
  return schema;
}

describe.each(DATABASES)('introspection in development (%s)', (kind: DbKind) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind, { NODE_ENV: 'development' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each(VARIANTS)('getIntrospectionQuery(%s) loads the whole schema', async (_name, options) => {
    // As GraphiQL sends it: the named operation, no token.
    const res = await api.request('POST', '/graphql', { body: { query: getIntrospectionQuery(options), operationName: 'IntrospectionQuery' } });
    const schema = expectSchemaLoaded(res);
    if (options.descriptions !== false) expect(printSchema(lexicographicSortSchema(schema))).toBe(PUBLISHED);
    if (options.oneOf) expect(res.body.data.__schema.types.find((t: { name: string }) => t.name === 'CreateTaskInput')).toMatchObject({ isOneOf: false });
    if (options.directiveIsRepeatable) expect(res.body.data.__schema.directives.find((d: { name: string }) => d.name === 'auth')).toMatchObject({ isRepeatable: false });
  });

  it('a signed-in client (and the compiled path, on repeat) gets the same schema', async () => {
    const user = await api.registerUser('Tooling');
    const first = await api.gql(getIntrospectionQuery(ALL_OPTIONS), undefined, user.accessToken);
    const again = await api.gql(getIntrospectionQuery(ALL_OPTIONS), undefined, user.accessToken);
    expectSchemaLoaded(first);
    expect(again.text).toBe(first.text);
  });

  describe('abuse limits still hold for introspection', () => {
    it("graphql-cop's circular introspection query is refused", async () => {
      expectRejected(await api.gql(CIRCULAR), 'Maximum introspection depth exceeded');
      // the same cycle through interfaces / possibleTypes, and hidden in fragments
      expectRejected(await api.gql('{ __schema { types { interfaces { fields { type { possibleTypes { fields { name } } } } } } } }'), 'Maximum introspection depth exceeded');
      expectRejected(
        await api.gql('{ __schema { types { ...T } } } fragment T on __Type { fields { type { ...U } } } fragment U on __Type { fields { type { fields { name } } } }'),
        'Maximum introspection depth exceeded',
      );
    });

    it('two full introspections under aliases of __schema exceed the introspection budget; one fits', async () => {
      const one = await api.gql(aliasedIntrospection(1));
      expect(one.status, one.text.slice(0, 300)).toBe(200);
      expectRejected(await api.gql(aliasedIntrospection(2)), /^Introspection cost limit of 25000 exceeded, found 3\d{4}\.$/);
      expectRejected(await api.gql(aliasedIntrospection(15)), /^Introspection cost limit of 25000 exceeded, found \d+\.$/);
      // 16 aliases of a tiny __schema selection: the alias limit
      const sixteen = `{ ${Array.from({ length: 16 }, (_, i) => `s${i}: __schema { queryType { name } }`).join(' ')} }`;
      expectRejected(await api.gql(sixteen), 'Syntax Error: Aliases limit of 15 exceeded, found 16.');
    });

    it('a deeper type reference chain than the standard one is refused by the budget', async () => {
      expectRejected(await api.gql(getIntrospectionQuery({ typeDepth: 12 })), /^Introspection cost limit of 25000 exceeded, found \d+\.$/);
    });

    it('introspection mixed with data is costed as data: the 5000 limit applies to the whole operation', async () => {
      const user = await api.registerUser('Mixed');
      const mixed = getIntrospectionQuery().replace('query IntrospectionQuery {', 'query IntrospectionQuery { tasks { totalCount }');
      const res = await api.gql(mixed, undefined, user.accessToken);
      expectRejected(res, /^Query cost limit of 5000 exceeded, found 1\d{4}\.$/);
      // a fragment on Query does not hide the data field
      const viaFragment = getIntrospectionQuery().replace('query IntrospectionQuery {', 'query IntrospectionQuery { ...D').concat(' fragment D on Query { tasks { totalCount } }');
      expectRejected(await api.gql(viaFragment, undefined, user.accessToken), /^Query cost limit of 5000 exceeded/);
    });

    it('__type stays under the depth limit', async () => {
      const deep = '{ __type(name: "Task") { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } }';
      expectRejected(await api.gql(deep), 'Syntax Error: Query depth limit of 8 exceeded, found 9.');
    });
  });
});

describe.each(DATABASES)('introspection in production (%s)', (kind: DbKind) => {
  let off: TestApi;
  let on: TestApi;

  beforeAll(async () => {
    off = await startApi(kind, { NODE_ENV: 'production' });
    on = await startApi(kind, { NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' });
  });
  afterAll(async () => {
    await off?.close();
    await on?.close();
  });

  it('is off by default: getIntrospectionQuery() is refused and names no type', async () => {
    for (const [, options] of VARIANTS) {
      const res = await off.gql(getIntrospectionQuery(options));
      expectRejected(res, /introspection is not allowed/i);
      expect(res.text).not.toMatch(/"(Task|TaskPage|createTask)"/);
    }
  });

  it('GRAPHQL_INTROSPECTION=true loads the schema with every option, and keeps the landing page off', async () => {
    for (const [, options] of VARIANTS) expectSchemaLoaded(await on.gql(getIntrospectionQuery(options)));
    const page = await on.request('GET', '/graphql', { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(page.text).not.toMatch(/<html/i);
  });

  it('the introspection limits hold in production too', async () => {
    expectRejected(await on.gql(CIRCULAR), 'Maximum introspection depth exceeded');
    expectRejected(await on.gql(aliasedIntrospection(2)), /^Introspection cost limit of 25000 exceeded/);
  });
});

describe('introspection configuration', () => {
  const base = { BETTER_AUTH_SECRET: 'x'.repeat(32), ...PRODUCTION_MAIL };
  const tooling = (env: Record<string, string>) => loadConfig({ ...base, ...env }).graphqlPlayground;

  it('development and test: introspection and landing page on', () => {
    expect(tooling({})).toEqual({ introspection: true, landingPage: true });
    expect(tooling({ NODE_ENV: 'test' })).toEqual({ introspection: true, landingPage: true });
    expect(tooling({ GRAPHQL_INTROSPECTION: 'false' })).toEqual({ introspection: false, landingPage: false });
    expect(tooling({ GRAPHQL_PLAYGROUND: 'false' })).toEqual({ introspection: true, landingPage: false });
  });

  it('production: both off unless switched on; the playground brings the introspection it needs', () => {
    expect(tooling({ NODE_ENV: 'production' })).toEqual({ introspection: false, landingPage: false });
    expect(tooling({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' })).toEqual({ introspection: true, landingPage: false });
    expect(tooling({ NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'true' })).toEqual({ introspection: true, landingPage: true });
    expect(tooling({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: '1', GRAPHQL_PLAYGROUND: '0' })).toEqual({ introspection: true, landingPage: false });
  });

  it('a landing page without introspection, or a value that is not a boolean, is a configuration error naming the variable', () => {
    expect(() => tooling({ NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'true', GRAPHQL_INTROSPECTION: 'false' })).toThrow(ConfigError);
    expect(() => tooling({ GRAPHQL_PLAYGROUND: 'true', GRAPHQL_INTROSPECTION: 'false' })).toThrow(
      /GRAPHQL_PLAYGROUND: the landing page needs introspection; set GRAPHQL_PLAYGROUND=false or GRAPHQL_INTROSPECTION=true/,
    );
    expect(() => tooling({ GRAPHQL_INTROSPECTION: 'yes' })).toThrow(/GRAPHQL_INTROSPECTION/);
  });

  it('the introspection budget is the documented one', () => {
    expect(GRAPHQL_LIMITS.introspectionCost).toBe(25_000);
  });
});
