// Secure by default: every root field of schema.graphql carries exactly one of @auth / @public,
// and buildSchema refuses a schema that breaks the rule, naming the field. Plus what a production
// server reveals about the schema (nothing: no introspection, no "Did you mean" suggestions).
import { readFileSync } from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_PATH, buildSchema } from '../src/graphql/schema.js';
import { DATABASES, startApi, type TestApi } from './support/harness.js';

const REAL_SCHEMA = readFileSync(SCHEMA_PATH, 'utf8');

/** The error buildSchema throws for `typeDefs`, or a failure if it does not throw. */
function buildError(typeDefs: string): Error {
  try {
    buildSchema(typeDefs);
  } catch (error) {
    return error as Error;
  }
  throw new Error('buildSchema did not throw');
}

/** Replaces exactly one occurrence of `from` in the real schema. */
function editSchema(from: string, to: string): string {
  const at = REAL_SCHEMA.indexOf(from);
  expect(at, `schema.graphql no longer contains ${JSON.stringify(from)}`).toBeGreaterThanOrEqual(0);
  expect(REAL_SCHEMA.indexOf(from, at + 1)).toBe(-1);
  return REAL_SCHEMA.slice(0, at) + to + REAL_SCHEMA.slice(at + from.length);
}

/** Root fields and their directive names, read straight from the SDL (independently of buildSchema). */
function rootFieldDirectives(sdl: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const doc = parse(sdl);
  const roots = new Set(['Query', 'Mutation', 'Subscription']);
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = def as ObjectTypeDefinitionNode | ObjectTypeExtensionNode;
    if (!roots.has(type.name.value)) continue;
    for (const field of type.fields ?? []) {
      out.set(`${type.name.value}.${field.name.value}`, (field.directives ?? []).map((d) => d.name.value));
    }
  }
  return out;
}

describe('buildSchema: the @auth/@public coverage rule', () => {
  it('the real schema.graphql builds, with Query, Mutation and Subscription', () => {
    const schema = buildSchema(REAL_SCHEMA);
    expect(Object.keys(schema.getQueryType()!.getFields()).sort()).toEqual(['health', 'me', 'securityEvents', 'sessions', 'task', 'tasks']);
    expect(Object.keys(schema.getMutationType()!.getFields()).sort()).toEqual(['changeEmail', 'changePassword', 'createTask', 'deleteTask', 'revokeOtherSessions', 'revokeSession', 'toggleTask', 'updateProfile', 'updateTask']);
    expect(Object.keys(schema.getSubscriptionType()!.getFields())).toEqual(['taskEvents']);
    // the default (no argument) reads the same file
    expect(() => buildSchema()).not.toThrow();
  });

  it('every root field in the real schema carries exactly one of @auth and @public', () => {
    const fields = rootFieldDirectives(REAL_SCHEMA);
    expect(fields.size).toBeGreaterThanOrEqual(9);
    expect(fields.get('Subscription.taskEvents')).toEqual(['auth']);
    const offenders = [...fields].filter(([, directives]) => directives.filter((d) => d === 'auth' || d === 'public').length !== 1);
    expect(offenders).toEqual([]);
    expect(fields.get('Query.health')).toEqual(['public']);
    for (const [name, directives] of fields) if (name !== 'Query.health') expect(directives, name).toEqual(['auth']);
  });

  it.each([
    ['Query.me', '  me: User! @auth\n', '  me: User!\n'],
    ['Query.health', '  health: String! @public\n', '  health: String!\n'],
    ['Query.task', '  task(id: ID!): Task @auth\n', '  task(id: ID!): Task\n'],
    ['Mutation.deleteTask', '  deleteTask(id: ID!): ID! @auth\n', '  deleteTask(id: ID!): ID!\n'],
    ['Subscription.taskEvents', '  taskEvents: TaskEvent! @auth\n', '  taskEvents: TaskEvent!\n'],
  ])('a root field without either directive is refused, naming %s', (field, from, to) => {
    const error = buildError(editSchema(from, to));
    expect(error.message).toContain(field);
    expect(error.message).toMatch(/@auth/);
    expect(error.message).toMatch(/@public/);
    // only the offending field is named
    const named = [...rootFieldDirectives(REAL_SCHEMA).keys()].filter((f) => new RegExp(`\\b${f.replace('.', '\\.')}\\b`).test(error.message));
    expect(named).toEqual([field]);
  });

  it('a Mutation field with both @auth and @public is refused, naming it', () => {
    const error = buildError(editSchema('  toggleTask(id: ID!): Task! @auth\n', '  toggleTask(id: ID!): Task! @auth @public\n'));
    expect(error.message).toContain('Mutation.toggleTask');
    expect(error.message).not.toContain('Mutation.createTask');
  });

  it('a new root field added without a directive is refused, naming it', () => {
    const error = buildError(`${REAL_SCHEMA}\nextend type Query { secrets: [String!]! }\n`);
    expect(error.message).toContain('Query.secrets');
    expect(error.message).not.toContain('Query.me');
  });

  it('several offenders are all named', () => {
    const sdl = editSchema('  me: User! @auth\n', '  me: User!\n').replace('  createTask(input: CreateTaskInput!): Task! @auth\n', '  createTask(input: CreateTaskInput!): Task!\n');
    const error = buildError(sdl);
    expect(error.message).toContain('Query.me');
    expect(error.message).toContain('Mutation.createTask');
  });
});

describe.each(DATABASES)('what the schema reveals, on %s', (kind) => {
  let production: TestApi;
  let test: TestApi;

  beforeAll(async () => {
    [production, test] = await Promise.all([startApi(kind, { NODE_ENV: 'production' }), startApi(kind)]);
  });
  afterAll(async () => {
    await Promise.all([production?.close(), test?.close()]);
  });

  it('with NODE_ENV=production introspection is disabled', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Task") { fields { name } } }']) {
      const res = await production.gql(query);
      expect(res.status).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.text).not.toContain('"Task"');
      expect(res.text).not.toContain('createTask');
    }
    // the API itself still answers
    expect((await production.gql('{ health }')).body).toEqual({ data: { health: 'ok' } });
  });

  it('with NODE_ENV=production a typo gets no "Did you mean" suggestion', async () => {
    for (const query of ['{ healht }', '{ tasks { nodez { id } } }', 'mutation { createTsk(input: { title: "x" }) { id } }']) {
      const res = await production.gql(query);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.text).not.toMatch(/Did you mean/i);
      expect(res.text).not.toMatch(/"(health|nodes|createTask)"/);
    }
  });

  it('in the test environment introspection works and typos get suggestions', async () => {
    const res = await test.gql('{ __schema { queryType { name } mutationType { name } types { name } } }');
    expect(res.status).toBe(200);
    expect(res.body.data.__schema.queryType).toEqual({ name: 'Query' });
    expect(res.body.data.__schema.mutationType).toEqual({ name: 'Mutation' });
    expect(res.body.data.__schema.types.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['Task', 'TaskPage', 'User']));
    const typo = await test.gql('{ healht }');
    expect(typo.status).toBe(400);
    expect(typo.body.errors[0].message).toMatch(/Did you mean "health"\?/);
  });
});
