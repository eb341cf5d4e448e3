// "Build the web app once": `next build` only when there is no complete build, the sources changed
// since, or the build proxies to a different API origin (rewrites are fixed at build time).
//
// A build that failed or was interrupted must never pass for a good one: `next build` writes
// .next/BUILD_ID early, before it prerenders, so BUILD_ID alone proves nothing. A build counts only
// when the files `next start` reads are all there (COMPLETE_BUILD_FILES); a failed build also has
// its BUILD_ID removed at once.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, runToCompletion } from './procs.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(REPO_ROOT, 'web');

const INPUTS = ['src', 'public', 'next.config.ts', 'package.json', 'tsconfig.json'];

/**
 * Files under .next/ that `next start` needs and that `next build` writes only once it got past
 * compiling and prerendering (BUILD_ID first: without it there is no build at all).
 */
export const COMPLETE_BUILD_FILES = [
  'BUILD_ID',
  'build-manifest.json',
  'routes-manifest.json',
  'prerender-manifest.json',
  'required-server-files.json',
  'server/preview-props.json',
];

/**
 * The environment every `next build` of these scripts runs with. NODE_ENV is always production:
 * Next.js cannot build with NODE_ENV=development (prerendering fails), which a sourced .env or a
 * shell could otherwise pass down.
 */
export function buildEnv(apiUrl) {
  return { API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
}

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

/** The first file of a complete build that `webDir/.next` lacks, or null when none is missing. */
export function missingBuildFile(webDir = WEB_DIR) {
  return COMPLETE_BUILD_FILES.find((file) => !existsSync(path.join(webDir, '.next', file))) ?? null;
}

/** Why a build is needed, or null when the existing one fits. */
export function buildNeeded(apiUrl, webDir = WEB_DIR) {
  const buildId = path.join(webDir, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return 'no build yet';
  const missing = missingBuildFile(webDir);
  if (missing) return `the last build did not finish (web/.next/${missing} is missing)`;
  const builtAt = statSync(buildId).mtimeMs;
  const changed = INPUTS.find((input) => newestMtime(path.join(webDir, input)) > builtAt);
  if (changed) return `web/${changed} changed since the last build`;
  try {
    const manifest = JSON.parse(readFileSync(path.join(webDir, '.next', 'routes-manifest.json'), 'utf8'));
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

async function buildInForeground(command, args, { cwd, env }) {
  const { code, signal } = await runToCompletion(command, args, { cwd, env: childEnv(env) });
  return code ?? (signal ? 1 : 0);
}

/**
 * Builds web/ when `buildNeeded` says so. `runBuild(command, args, { cwd, env })` runs the build and
 * resolves to its exit code (default: in the foreground, sharing this terminal).
 */
export async function buildWebIfNeeded(apiUrl, log = console.log, { runBuild = buildInForeground, webDir = WEB_DIR } = {}) {
  const reason = buildNeeded(apiUrl, webDir);
  if (!reason) {
    log(`web: using the existing build (proxies to ${apiUrl})`);
    return { built: false };
  }
  log(`web: building the web app (${reason}): ~1 min the first time, less after …`);
  const started = Date.now();
  const code = await runBuild('npx', ['next', 'build'], { cwd: webDir, env: buildEnv(apiUrl) });
  if (code !== 0) {
    // Next.js may have written BUILD_ID before failing: make sure nothing takes this for a build.
    rmSync(path.join(webDir, '.next', 'BUILD_ID'), { force: true });
    throw new Error(`next build failed (exit ${code}); the next start builds again`);
  }
  const missing = missingBuildFile(webDir);
  if (missing) throw new Error(`next build exited 0 but web/.next/${missing} is missing`);
  log(`web: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return { built: true };
}
