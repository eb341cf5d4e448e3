// The REST docs: /api/openapi.json is a valid OpenAPI 3.1 document generated from the route
// schemas, lists every route of the README's REST table with its documented errors, and
// /api/docs is Swagger UI served entirely from this server (works offline, no CDN).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './support/harness.js';
import { restTableRoutes } from './support/readme.js';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * The official OpenAPI 3.1 schema (https://spec.openapis.org/oas/3.1/schema/2022-10-07, as shipped
 * by openapi-spec-validator). Ajv's `$dynamicRef` support mis-resolves its `#meta` anchor, so the
 * dynamic reference is replaced by a plain `$ref` to the same `$defs/schema` it resolves to when no
 * dialect extends it (which is this schema's own definition). Schema Objects are then checked
 * against the JSON Schema 2020-12 meta-schema separately (what the spec's "schema-base" adds).
 */
function openapi31Validator() {
  const text = readFileSync(path.join(HERE, 'fixtures/openapi-3.1.schema.json'), 'utf8').replaceAll(
    '"$dynamicRef": "#meta"',
    '"$ref": "#/$defs/schema"',
  );
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('media-range', true);
  return { ajv, validate: ajv.compile(JSON.parse(text) as object) };
}

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every Schema Object in the document (components, parameters, request and response bodies). */
function schemaObjects(doc: Json): [string, Json][] {
  const found: [string, Json][] = Object.entries<Json>(doc.components?.schemas ?? {}).map(([k, s]) => [`components.schemas.${k}`, s]);
  for (const [p, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of METHODS.filter((m) => item[m])) {
      const op = item[method];
      const where = `${method.toUpperCase()} ${p}`;
      for (const param of op.parameters ?? []) found.push([`${where} param ${param.name}`, param.schema]);
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) found.push([`${where} body ${type}`, media.schema]);
      for (const [status, res] of Object.entries<Json>(op.responses ?? {})) {
        for (const [type, media] of Object.entries<Json>(res.content ?? {})) found.push([`${where} ${status} ${type}`, media.schema]);
      }
    }
  }
  return found;
}

/** Every `$ref` in the document, with where it is. */
function refs(node: unknown, at = '#', out: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) node.forEach((v, i) => refs(v, `${at}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push([at, v]);
      else refs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<any>((node, key) => (node === undefined ? undefined : node[key]), doc);
}

describe('OpenAPI 3.1 document and docs page', () => {
  let api: TestApi;
  let doc: Json;

  beforeAll(async () => {
    api = await startApi('pglite');
    const res = await api.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    doc = res.body;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is OpenAPI 3.1 and validates against the official 3.1 schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Taskgate API', version: expect.any(String) });
    const { ajv, validate } = openapi31Validator();
    const valid = validate(doc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
    expect(valid).toBe(true);

    const badSchemas = schemaObjects(doc)
      .filter(([, schema]) => !ajv.validateSchema(schema))
      .map(([where]) => `${where}: ${ajv.errorsText(ajv.errors)}`);
    expect(badSchemas).toEqual([]);
  });

  it('the validator is not a rubber stamp: it rejects broken documents', () => {
    const { validate } = openapi31Validator();
    const noDescription = structuredClone(doc);
    noDescription.paths['/api/tasks'].get.responses['200'] = { content: {} };
    expect(validate(noDescription)).toBe(false);
    const badParam = structuredClone(doc);
    badParam.paths['/api/tasks'].get.parameters[0].in = 'body';
    expect(validate(badParam)).toBe(false);
    expect(validate({ ...doc, openapi: '3.0.3' })).toBe(false);
  });

  it('every $ref resolves and every path template parameter is declared', () => {
    const dangling = refs(doc).filter(([, ref]) => resolvePointer(doc, ref) === undefined);
    expect(dangling).toEqual([]);

    const problems: string[] = [];
    for (const [p, item] of Object.entries<Json>(doc.paths)) {
      const names = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const method of METHODS.filter((m) => item[m])) {
        const declared = (item[method].parameters ?? []).filter((q: Json) => q.in === 'path');
        for (const name of names) {
          const param = declared.find((q: Json) => q.name === name);
          if (!param || param.required !== true) problems.push(`${method.toUpperCase()} ${p}: path parameter ${name}`);
        }
        for (const q of declared) if (!names.includes(q.name)) problems.push(`${method.toUpperCase()} ${p}: stray ${q.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists every REST route of the README with its documented error responses (and the /api/{userId} aliases)', () => {
    const routes = restTableRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const missing: string[] = [];
    const check = (method: string, p: string, errors: number[]) => {
      const op = doc.paths[p]?.[method.toLowerCase()];
      if (!op) return missing.push(`${method} ${p}`);
      for (const status of errors) {
        const res = op.responses?.[String(status)];
        if (!res) missing.push(`${method} ${p} → ${status}`);
        else if (res.content?.['application/json']?.schema?.$ref !== '#/components/schemas/Error') {
          missing.push(`${method} ${p} → ${status} is not the Error body`);
        }
      }
    };
    for (const route of routes) {
      check(route.method, route.path, route.errors);
      if (route.path.startsWith('/api/tasks')) {
        check(route.method, route.path.replace('/api/tasks', '/api/{userId}/tasks'), [...route.errors, 403]);
      }
    }
    expect(missing).toEqual([]);
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('documents the Location and ETag headers the task routes send', async () => {
    const responses = (method: string, p: string) => doc.paths[p][method].responses;
    expect(Object.keys(responses('post', '/api/tasks')['201'].headers ?? {}).sort()).toEqual(['etag', 'location']);
    for (const [method, p] of [
      ['get', '/api/tasks/{id}'],
      ['put', '/api/tasks/{id}'],
      ['patch', '/api/tasks/{id}'],
      ['patch', '/api/tasks/{id}/complete'],
    ] as const) {
      expect(Object.keys(responses(method, p)['200'].headers ?? {}), `${method} ${p}`).toEqual(['etag']);
    }
    // ...and the server sends what the document says.
    const user = await api.registerUser();
    const created = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'documented' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(new RegExp(`/api/tasks/${created.body.id}$`));
    expect(created.headers.get('etag')).toBe('"v1"');
    // The body schema is still the task: no header leaked into its properties.
    expect(Object.keys(responses('post', '/api/tasks')['201'].content['application/json'].schema.properties)).not.toContain('etag');
  });

  it('declares bearer JWT security on the protected routes and hides what is not REST', () => {
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const secured = (method: string, p: string) => doc.paths[p][method].security;
    expect(secured('get', '/api/tasks')).toEqual([{ bearerAuth: [] }]);
    expect(secured('post', '/api/auth/logout')).toEqual([{ bearerAuth: [] }]);
    expect(secured('post', '/api/auth/login')).toBeUndefined();
    for (const [p, item] of Object.entries<Json>(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        for (const requirement of item[method].security ?? []) {
          for (const name of Object.keys(requirement)) expect(doc.components.securitySchemes[name], `${p} ${name}`).toBeDefined();
        }
        expect(item[method].tags?.length, `${method} ${p} has a tag`).toBeGreaterThan(0);
      }
    }
    const paths = Object.keys(doc.paths);
    expect(paths).not.toContain('/graphql');
    expect(paths.filter((p) => p.includes('*') || p.startsWith('/api/docs') || p === '/api/openapi.json')).toEqual([]);
  });

  it('/api/docs is Swagger UI whose scripts and styles all come from this server', async () => {
    for (const entry of ['/api/docs', '/api/docs/']) {
      const page = await api.request('GET', entry);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('swagger-ui');

      const assets = [...page.text.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      const external = assets.filter((a) => /^(https?:)?\/\//i.test(a));
      expect(external).toEqual([]);
      for (const asset of assets) {
        const res = await fetch(new URL(asset, api.url + entry));
        expect(res.status, asset).toBe(200);
        const body = await res.text();
        if (asset.endsWith('.css')) expect(body, asset).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//i);
        if (asset.endsWith('swagger-initializer.js')) {
          // The page's own start-up script: loads the spec from here, no online validator badge.
          // (Its comments and inlined data: logo may mention URLs; nothing else may.)
          const code = body.replace(/^\s*\/\/.*$/gm, '').replace(/data:[^'"]*/g, '');
          expect(code).not.toMatch(/https?:\/\//);
          expect(body).toMatch(/validatorUrl: null/);
        }
      }

      // Registered after the app-wide hooks: the docs carry the request id like every response.
      expect(page.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toMatch(/https?:|\*/);
    }
    const spec = await api.request('GET', '/api/docs/json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
  });

  // An independent validator as a second opinion when the machine has it (openapi-spec-validator,
  // Python). Skipped, visibly, where it is not installed.
  const python = spawnSync('python3', ['-c', 'import openapi_spec_validator'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)('passes openapi-spec-validator (Python) as well', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const run = spawnSync('python3', ['-m', 'openapi_spec_validator', file], { encoding: 'utf8' });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
