// `npm run dev`: the API and the web app with hot reload (tsx watch, next dev), same ports and
// environment as `npm start`. Ctrl-C stops both.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { exitIfServicePortsBusy, runTogether, servicePorts } from './lib/orchestrate.mjs';
import { REPO_ROOT, WEB_DIR } from './lib/web-build.mjs';

const urls = servicePorts();

await exitIfServicePortsBusy(urls, 'dev');

// The API's own "dev" script when it has one; otherwise tsx in watch mode on its entry point.
const apiScripts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'api', 'package.json'), 'utf8')).scripts ?? {};
const apiCommand = apiScripts.dev
  ? { command: 'npm', args: ['run', 'dev', '--workspace', 'api'], cwd: REPO_ROOT }
  : {
      command: path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      args: ['watch', 'src/server.ts'],
      cwd: path.join(REPO_ROOT, 'api'),
    };

await runTogether({
  label: 'dev',
  urls,
  api: {
    name: 'api',
    ...apiCommand,
    env: { PORT: String(urls.apiPort), HOST: urls.host, PUBLIC_URL: urls.publicUrl },
  },
  web: {
    name: 'web',
    command: path.join(REPO_ROOT, 'node_modules', '.bin', 'next'),
    args: ['dev', '-p', String(urls.webPort), '-H', urls.host],
    cwd: WEB_DIR,
    // Rewrites in `next dev` are read at start-up: point them at this API.
    env: { API_URL: urls.apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
  },
});
