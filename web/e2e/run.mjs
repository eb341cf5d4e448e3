// `npm run test:e2e`: build the web app if needed, start the API on a fresh temporary database
// (PUBLIC_URL = the web origin, a 10-second access token so expiry happens during the tests, its
// mail to an SMTP server in this process: mailbox.mjs) and `next start`, run Playwright against
// them, then stop both process groups. Extra arguments go
// to `playwright test` (e.g. `npm run test:e2e -- -g playground`).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  apiConfigVariables,
  childEnv,
  exitIfPortsBusy,
  runToCompletion,
  startProcess,
  stopAll,
  waitForHttp,
} from '../../scripts/lib/procs.mjs';
import { REPO_ROOT, WEB_DIR, buildWebIfNeeded } from '../../scripts/lib/web-build.mjs';
import { startMailbox } from './mailbox.mjs';

const API_URL = 'http://127.0.0.1:4000';
const WEB_URL = 'http://127.0.0.1:3000';
// The address the browser opens and the API's PUBLIC_URL. Passkeys (WebAuthn) take their
// relying-party id from PUBLIC_URL's host, and an IP address cannot be one: localhost can (and,
// like 127.0.0.1, is a secure context over http). The servers still listen on 127.0.0.1.
const BROWSER_URL = 'http://localhost:3000';
const TOKEN_TTL_SECONDS = '10';
const RESULTS = path.join(WEB_DIR, 'test-results');
const LOGS = path.join(RESULTS, 'logs');

const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
const log = (line) => console.log(`e2e [${seconds()}]: ${line}`);

if (!existsSync('/usr/bin/chromium')) {
  console.error(
    "e2e: /usr/bin/chromium is missing. Install Debian's Chromium: apt-get update && apt-get install -y chromium",
  );
  process.exit(1);
}
const advice = 'Stop `npm start` / `npm run dev` first: the tests start their own servers.';
await exitIfPortsBusy(
  [
    { name: 'API', port: Number(new URL(API_URL).port), advice },
    { name: 'web', port: Number(new URL(WEB_URL).port), advice },
  ],
  { label: 'e2e' },
);

await buildWebIfNeeded(API_URL, log);

mkdirSync(LOGS, { recursive: true });
rmSync(path.join(LOGS, 'api.log'), { force: true });
rmSync(path.join(LOGS, 'web.log'), { force: true });
const dataDir = mkdtempSync(path.join(tmpdir(), 'taskgate-e2e-'));
let exitCode = 1;
const mailbox = await startMailbox();

const stopServers = async () => {
  await Promise.all([stopAll(10_000), mailbox.close()]);
  rmSync(dataDir, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping servers`);
    void stopServers().then(() => process.exit(130));
  });
}

try {
  // The API sees only the configuration set here, none from this shell.
  const scrub = await apiConfigVariables();
  const api = startProcess({
    name: 'api',
    command: 'npm',
    args: ['start', '--workspace', 'api'],
    cwd: REPO_ROOT,
    output: { file: path.join(LOGS, 'api.log') },
    env: childEnv({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: new URL(API_URL).port,
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      PUBLIC_URL: BROWSER_URL,
      ACCESS_TOKEN_TTL: TOKEN_TTL_SECONDS,
      LOG_LEVEL: 'warn',
      // Generous per-IP budgets (every test signs up from 127.0.0.1), a tight per-account one so a
      // test can meet "too many attempts".
      RATE_LIMIT_REGISTER_IP: '200/3600',
      RATE_LIMIT_LOGIN_IP: '200/60',
      RATE_LIMIT_LOGIN_ACCOUNT: '3/60',
      SMTP_URL: mailbox.smtpUrl,
      MAIL_FROM: 'Taskgate e2e <no-reply@taskgate.invalid>',
    }, { scrub }),
  });
  const web = startProcess({
    name: 'web',
    command: path.join(REPO_ROOT, 'node_modules', '.bin', 'next'),
    args: ['start', '-p', new URL(WEB_URL).port, '-H', '127.0.0.1'],
    cwd: WEB_DIR,
    output: { file: path.join(LOGS, 'web.log') },
    env: childEnv({ NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }),
  });

  log(`starting the API (data in ${dataDir}) and the web app`);
  await Promise.all([
    waitForHttp(`${API_URL}/healthz`, { proc: api, timeoutMs: 180_000 }),
    waitForHttp(`${WEB_URL}/sign-in`, { proc: web, timeoutMs: 60_000 }),
  ]);
  log('servers are up; running Playwright');

  const playwright = await runToCompletion(path.join(REPO_ROOT, 'node_modules', '.bin', 'playwright'), ['test', ...process.argv.slice(2)], {
    cwd: WEB_DIR,
    env: childEnv({ E2E_BASE_URL: BROWSER_URL, E2E_ACCESS_TOKEN_TTL: TOKEN_TTL_SECONDS, E2E_MAILBOX_URL: mailbox.httpUrl }),
  });
  exitCode = playwright.code ?? 1;
} catch (error) {
  console.error(`e2e: ${error.message}`);
  for (const name of ['api', 'web']) {
    const file = path.join(LOGS, `${name}.log`);
    if (existsSync(file))
      console.error(
        `--- last lines of ${path.relative(REPO_ROOT, file)}\n${readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')}`,
      );
  }
} finally {
  await stopServers();
  log(`done (exit ${exitCode}); screenshots in web/test-results/screens, server logs in web/test-results/logs`);
}
process.exit(exitCode);
