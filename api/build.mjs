// `npm run build --workspace api`: bundle src/server.ts into dist/src/server.mjs with esbuild
// (docs/decisions/008). `--if-stale` builds only when the bundle is missing or older than its inputs
// (what `npm start --workspace api` runs first, through `prestart`).
//
// - Only our own TypeScript is bundled; every node_modules package stays an external import, so
//   native (@node-rs/argon2), wasm/data-file (PGlite) and worker-based packages load from
//   node_modules exactly as under tsx.
// - The output sits at dist/src/, the same depth as src/config/ and src/auth/ under api/, so the
//   `import.meta.url`-relative paths in the sources still resolve once inlined into the bundle:
//   `../../..` from config/env.ts (the repository root: .data) and from graphql/schema.ts
//   (schema.graphql), and
//   `../../package.json` from plugins/openapi.ts. auth/passwords.ts starts the worker
//   `./password-strength.worker.mjs` next to its own module, which in the bundle is dist/src/: that
//   file (plain JavaScript) is copied there.
// - Files are written to a temporary name and renamed, so a server started while another process
//   rebuilds never loads half a file.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ENTRY = path.join(API_DIR, 'src', 'server.ts');
export const OUT_DIR = path.join(API_DIR, 'dist', 'src');
export const OUT_FILE = path.join(OUT_DIR, 'server.mjs');
/** Data files read at run time relative to their module: source (under src/) → copied next to the bundle. */
const DATA_FILES = [['auth/password-strength.worker.mjs', 'password-strength.worker.mjs']];
/** What the bundle is made of: a newer mtime in any of these makes it stale. */
const INPUTS = ['src', 'package.json', 'tsconfig.json', '../tsconfig.base.json', 'build.mjs'];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of readdirSync(target)) {
    if (entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Why a build is needed, or null when dist/src/server.mjs is up to date. */
export function apiBuildNeeded() {
  if (!existsSync(OUT_FILE)) return 'no build yet';
  const builtAt = statSync(OUT_FILE).mtimeMs;
  for (const [source, target] of DATA_FILES) {
    if (!existsSync(path.join(OUT_DIR, target))) return `dist/src/${target} is missing`;
    if (statSync(path.join(API_DIR, 'src', source)).mtimeMs > builtAt) return `src/${source} changed since the last build`;
  }
  const changed = INPUTS.find((input) => newestMtime(path.join(API_DIR, input)) > builtAt);
  return changed ? `api/${changed.replace(/^\.\.\//, '../')} changed since the last build` : null;
}

function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

export async function buildApi() {
  const { build } = await import('esbuild');
  const started = Date.now();
  const result = await build({
    entryPoints: [ENTRY],
    outfile: OUT_FILE,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [source, target] of DATA_FILES) {
    const temporary = path.join(OUT_DIR, `${target}.${process.pid}.tmp`);
    copyFileSync(path.join(API_DIR, 'src', source), temporary);
    renameSync(temporary, path.join(OUT_DIR, target));
  }
  // The map first, the bundle last: the bundle's mtime marks a complete build.
  const outputs = result.outputFiles;
  for (const file of [...outputs.filter((f) => f.path !== OUT_FILE), ...outputs.filter((f) => f.path === OUT_FILE)]) {
    writeAtomically(file.path, file.contents);
  }
  return Date.now() - started;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const reason = apiBuildNeeded();
  if (ifStale && !reason) {
    process.exit(0);
  }
  try {
    const ms = await buildApi();
    console.error(`api: built dist/src/server.mjs in ${ms} ms${reason && ifStale ? ` (${reason})` : ''}`);
  } catch (error) {
    // esbuild has already printed the errors with their locations.
    console.error(`api: build failed: ${error instanceof Error ? error.message.split('\n')[0] : error}`);
    process.exit(1);
  }
}
