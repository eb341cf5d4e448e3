// The layer rule in eslint.config.js bites: a domain file importing fastify or a transport, and a
// transport importing db/ (any transport, the auth routes included), are reported; a clean domain
// file is not.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: REPO_ROOT });

/** The no-restricted-imports messages ESLint reports for `code` placed at `file` (repo-relative). */
async function restricted(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries (eslint no-restricted-imports)', () => {
  it('a domain file importing fastify is reported (the fixture)', async () => {
    const fixture = readFileSync(path.join(REPO_ROOT, 'api/test/fixtures/lint/domain-imports-fastify.ts'), 'utf8');
    expect(await restricted(fixture, 'api/src/domain/tasks/answer.ts')).toEqual([expect.stringMatching(/domain speaks no HTTP/)]);
  });

  it.each([
    ["import { ApolloServer } from '@apollo/server';", /domain speaks no HTTP/],
    ["import { GraphQLError } from 'graphql';", /domain speaks no HTTP/],
    ["import { betterAuth } from 'better-auth';", /domain speaks no HTTP/],
    ["import { requireViewer } from '../../plugins/viewer.js';", /does not import a transport/],
    ["import { ErrorBody } from '../../rest/schemas.js';", /does not import a transport/],
    ["import { buildSchema } from '../../graphql/schema.js';", /does not import a transport/],
  ])('a domain file with %s is reported', async (line, message) => {
    expect(await restricted(`${line}\nexport const x = 1;\n`, 'api/src/domain/tasks/x.ts')).toEqual([expect.stringMatching(message)]);
  });

  it('a clean domain file passes', async () => {
    const code = "import { AppError } from '../errors.js';\nimport type { Viewer } from '../users/user.types.js';\nexport const x = (v: Viewer) => new AppError('NOT_FOUND', v.userId);\n";
    expect(await restricted(code, 'api/src/domain/tasks/x.ts')).toEqual([]);
  });

  it('a transport importing db/ is reported, the auth routes included', async () => {
    const sql = "import type { SqlPool } from '../db/sql.js';\nexport type P = SqlPool;\n";
    expect(await restricted(sql, 'api/src/rest/tasks.routes.ts')).toEqual([expect.stringMatching(/hold no SQL/)]);
    expect(await restricted(sql, 'api/src/graphql/resolvers.ts')).toEqual([expect.stringMatching(/hold no SQL/)]);
    expect(await restricted(sql, 'api/src/rest/auth.routes.ts')).toEqual([expect.stringMatching(/hold no SQL/)]);
  });
});
