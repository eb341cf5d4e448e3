// "Build the web app once": `next build` only when there is no build, the sources changed since,
// or the build proxies to a different API origin (rewrites are fixed at build time).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './processes.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(REPO_ROOT, 'web');

const INPUTS = ['src', 'public', 'next.config.ts', 'package.json', 'tsconfig.json'];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    if (entry.endsWith('.test.ts') || entry.endsWith('.test.tsx') || entry === 'test') continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

/** Why a build is needed, or null when the existing one fits. */
export function buildNeeded(apiUrl) {
  const buildId = path.join(WEB_DIR, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'no build yet';
  const builtAt = statSync(buildId).mtimeMs;
  const changed = INPUTS.find((input) => newestMtime(path.join(WEB_DIR, input)) > builtAt);
  if (changed) return `web/${changed} changed since the last build`;
  try {
    const manifest = JSON.parse(readFileSync(path.join(WEB_DIR, '.next', 'routes-manifest.json'), 'utf8'));
    const all = manifest.rewrites ?? [];
    const rewrites = Array.isArray(all)
      ? all
      : [...(all.beforeFiles ?? []), ...(all.afterFiles ?? []), ...(all.fallback ?? [])];
    const destinations = rewrites.map((rewrite) => rewrite?.destination).filter(Boolean);
    if (!destinations.some((destination) => destination.startsWith(`${apiUrl}/`))) {
      return `the build proxies to ${destinations[0] ?? 'nowhere'}, not ${apiUrl}`;
    }
  } catch {
    return 'the build has no readable routes manifest';
  }
  return null;
}

export async function buildWebIfNeeded(apiUrl, log = console.log) {
  const reason = buildNeeded(apiUrl);
  if (!reason) {
    log(`web: using the existing build (proxies to ${apiUrl})`);
    return;
  }
  log(`web: building (${reason}) …`);
  const started = Date.now();
  const code = await run('npx', ['next', 'build'], {
    cwd: WEB_DIR,
    env: { API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
  log(`web: built in ${Math.round((Date.now() - started) / 1000)} s`);
}
