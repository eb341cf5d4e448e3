// `npm start`: serve the API (port 4000) and the web app (port 3000) together on the embedded
// database. The API starts at once (ready in seconds); the web app is built meanwhile when it has
// no complete, current build (~1 min the first time), then served. The banner with both URLs comes
// last. Ctrl-C stops everything. The API runs from its esbuild bundle: `npm start --workspace api`
// rebuilds api/dist first when api/src is newer (its prestart).
//
// Environment: API_PORT (4000), WEB_PORT (3000), HOST (127.0.0.1), PUBLIC_URL (the web origin:
// better-auth's base URL and the JWT iss/aud); everything else (DATA_DIR, DATABASE_URL, ...) is
// passed to the API unchanged. The web app always builds and runs with NODE_ENV=production.
import path from 'node:path';
import { exitIfServicePortsBusy, runTogether, servicePorts, startService } from './lib/orchestrate.mjs';
import { REPO_ROOT, WEB_DIR, buildWebIfNeeded } from './lib/web-build.mjs';

const urls = servicePorts();

await exitIfServicePortsBusy(urls, 'start');

// Children write to pipes: keep pino-pretty's and Next.js's colours when this is a colour terminal.
const colour = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {};

await runTogether({
  label: 'start',
  urls,
  api: {
    name: 'api',
    command: 'npm',
    // --silent: no "> prestart / > start" echo from npm, only the API's own lines.
    args: ['start', '--silent', '--workspace', 'api'],
    cwd: REPO_ROOT,
    env: { ...colour, PORT: String(urls.apiPort), HOST: urls.host, PUBLIC_URL: urls.publicUrl },
  },
  prepareWeb: ({ log, track }) =>
    buildWebIfNeeded(urls.apiUrl, log, {
      // The build in its own process group with prefixed output, stopped by Ctrl-C like the servers.
      runBuild: async (command, args, { cwd, env }) => {
        const build = track(startService({ name: 'web build', command, args, cwd, env: { ...colour, ...env } }));
        const { code, signal } = await build.exited;
        return code ?? (signal ? 1 : 0);
      },
    }),
  web: {
    name: 'web',
    command: path.join(REPO_ROOT, 'node_modules', '.bin', 'next'),
    args: ['start', '-p', String(urls.webPort), '-H', urls.host],
    cwd: WEB_DIR,
    env: { ...colour, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  },
});
