// `node --test scripts/`: when `npm start` / the e2e runner rebuild the web app, and that a failed
// build is never served. The builds here are stand-ins that write what `next build` writes (a real
// one takes a minute); what is under test is the decision and the clean-up around it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { COMPLETE_BUILD_FILES, buildNeeded, buildWebIfNeeded } from './web-build.mjs';

const API = 'http://127.0.0.1:4000';
let webDir;

function write(relative, contents = '{}') {
  const file = path.join(webDir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, contents);
}

/** What a finished `next build` leaves, with its rewrites pointing at `apiUrl`. */
function completeBuild(apiUrl = API) {
  for (const file of COMPLETE_BUILD_FILES) write(`.next/${file}`, file === 'BUILD_ID' ? 'abc123' : '{}');
  write('.next/routes-manifest.json', JSON.stringify({ rewrites: { beforeFiles: [], afterFiles: [{ source: '/graphql', destination: `${apiUrl}/graphql` }], fallback: [] } }));
}

/** What a `next build` that failed while prerendering leaves: BUILD_ID and the compile output only. */
function failedBuild() {
  write('.next/BUILD_ID', 'abc123');
  write('.next/build-manifest.json');
  write('.next/routes-manifest.json', JSON.stringify({ rewrites: [{ source: '/graphql', destination: `${API}/graphql` }] }));
}

beforeEach(() => {
  webDir = mkdtempSync(path.join(tmpdir(), 'taskgate-web-build-'));
  write('src/app/page.tsx', 'export default function Page() { return null; }');
  const past = new Date(Date.now() - 60_000);
  utimesSync(path.join(webDir, 'src/app/page.tsx'), past, past);
});
afterEach(() => rmSync(webDir, { recursive: true, force: true }));

describe('buildNeeded', () => {
  it('asks for a build when there is none', () => {
    assert.equal(buildNeeded(API, webDir), 'no build yet');
  });

  it('accepts a complete build that is newer than the sources and proxies to this API', () => {
    completeBuild();
    assert.equal(buildNeeded(API, webDir), null);
  });

  it('does not take a build with BUILD_ID but without server/preview-props.json for a finished one', () => {
    completeBuild();
    rmSync(path.join(webDir, '.next/server/preview-props.json'));
    assert.match(buildNeeded(API, webDir), /did not finish \(web\/\.next\/server\/preview-props\.json is missing\)/);
  });

  it('does not take what a build that failed while prerendering left behind for a build', () => {
    failedBuild();
    assert.match(buildNeeded(API, webDir), /did not finish/);
  });

  it('rebuilds when a source changed since, or the build proxies to another API', () => {
    completeBuild('http://127.0.0.1:4999');
    assert.match(buildNeeded(API, webDir), /proxies to http:\/\/127\.0\.0\.1:4999\/graphql, not http:\/\/127\.0\.0\.1:4000/);
    completeBuild();
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(webDir, 'src/app/page.tsx'), future, future);
    assert.equal(buildNeeded(API, webDir), 'web/src changed since the last build');
  });
});

describe('buildWebIfNeeded', () => {
  it('builds with NODE_ENV=production even when the shell has NODE_ENV=development (a sourced .env)', async () => {
    const saved = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const seen = [];
    try {
      await buildWebIfNeeded(API, () => {}, {
        webDir,
        runBuild: async (command, args, { env }) => {
          // What the child sees: this environment with the build's own on top (as run() does).
          const child = { ...process.env, ...env };
          seen.push({ command: [command, ...args].join(' '), nodeEnv: child.NODE_ENV, apiUrl: child.API_URL });
          completeBuild();
          return 0;
        },
      });
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = saved;
    }
    assert.deepEqual(seen, [{ command: 'npx next build', nodeEnv: 'production', apiUrl: API }]);
    assert.equal(buildNeeded(API, webDir), null);
  });

  it('a failed build throws, leaves no BUILD_ID, and the next start builds again', async () => {
    completeBuild('http://127.0.0.1:4999'); // an older, good build for another API: replaced below
    await assert.rejects(
      buildWebIfNeeded(API, () => {}, {
        webDir,
        runBuild: async () => {
          rmSync(path.join(webDir, '.next/server'), { recursive: true, force: true });
          failedBuild();
          return 1;
        },
      }),
      /next build failed \(exit 1\)/,
    );
    assert.equal(existsSync(path.join(webDir, '.next/BUILD_ID')), false);
    assert.equal(buildNeeded(API, webDir), 'no build yet');
  });

  it('a build that exits 0 without the files next start needs is refused', async () => {
    await assert.rejects(
      buildWebIfNeeded(API, () => {}, {
        webDir,
        runBuild: async () => {
          failedBuild();
          return 0;
        },
      }),
      /exited 0 but web\/\.next\/prerender-manifest\.json is missing/,
    );
  });

  it('does nothing when the existing build fits', async () => {
    completeBuild();
    const lines = [];
    const result = await buildWebIfNeeded(API, (line) => lines.push(line), {
      webDir,
      runBuild: async () => assert.fail('must not build'),
    });
    assert.deepEqual(result, { built: false });
    assert.deepEqual(lines, [`web: using the existing build (proxies to ${API})`]);
  });
});
