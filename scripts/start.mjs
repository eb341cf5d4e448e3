// `npm start`: build the web app if needed (once), then serve the API (port 4000) and the web app
// (port 3000) together on the embedded database. Ctrl-C stops both. The API runs from its esbuild
// bundle: `npm start --workspace api` rebuilds api/dist first when api/src is newer (its prestart).
//
// Environment: API_PORT (4000), WEB_PORT (3000), HOST (127.0.0.1), PUBLIC_URL (the web origin:
// better-auth's base URL and the JWT iss/aud); everything else (DATA_DIR, DATABASE_URL, ...) is
// passed to the API unchanged.
import path from 'node:path';
import { exitIfPortsBusy, runTogether, servicePorts } from './lib/orchestrate.mjs';
import { REPO_ROOT, WEB_DIR, buildWebIfNeeded } from './lib/web-build.mjs';

const urls = servicePorts();

await exitIfPortsBusy(urls, 'start');

try {
  await buildWebIfNeeded(urls.apiUrl, (line) => console.log(`start: ${line}`));
} catch (error) {
  console.error(`start: ${error.message}`);
  process.exit(1);
}

await runTogether({
  label: 'start',
  urls,
  api: {
    name: 'api',
    command: 'npm',
    args: ['start', '--workspace', 'api'],
    cwd: REPO_ROOT,
    env: { PORT: String(urls.apiPort), HOST: urls.host, PUBLIC_URL: urls.publicUrl },
  },
  web: {
    name: 'web',
    command: path.join(REPO_ROOT, 'node_modules', '.bin', 'next'),
    args: ['start', '-p', String(urls.webPort), '-H', urls.host],
    cwd: WEB_DIR,
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  },
});
