// Runs the API and the web app together until Ctrl-C (or until one of them stops), then stops
// both process groups.
import { childEnv, exitIfPortsBusy, startProcess, stopProcess, waitForHttp } from './procs.mjs';

export function servicePorts(env = process.env) {
  const host = env.HOST ?? '127.0.0.1';
  const apiPort = Number(env.API_PORT ?? 4000);
  const webPort = Number(env.WEB_PORT ?? 3000);
  const apiUrl = `http://${host}:${apiPort}`;
  const webUrl = `http://${host}:${webPort}`;
  return { host, apiPort, webPort, apiUrl, webUrl, publicUrl: env.PUBLIC_URL ?? webUrl };
}

/** Exits 1 naming the port and the variable to change when the API's or the web app's port is taken. */
export function exitIfServicePortsBusy(urls, label) {
  return exitIfPortsBusy(
    [
      { name: 'API', port: urls.apiPort, advice: 'Stop what runs there, or set API_PORT.' },
      { name: 'web', port: urls.webPort, advice: 'Stop what runs there, or set WEB_PORT.' },
    ],
    { label, host: urls.host },
  );
}

/** A service of `runTogether`: `env` is added to this process's environment; output prefixed with its name. */
export function startService({ name, command, args, cwd, env }) {
  return startProcess({ name, command, args, cwd, env: childEnv(env), output: 'prefix' });
}

/**
 * Starts the API, then the web app, and prints the banner with both URLs once both answer.
 * `prepareWeb({ log, track })`, when given, runs while the API starts (e.g. `next build`); the web
 * app starts after it. `track(service)` registers a process group that Ctrl-C must stop too.
 */
export async function runTogether({ api, web, urls, label, prepareWeb }) {
  let stopping = false;
  const services = [];
  const log = (line) => console.log(`${label}: ${line}`);

  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${label}: stopping…`);
    await Promise.all(services.map((service) => stopProcess(service)));
    console.log(`${label}: stopped.`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(130));
  process.on('SIGTERM', () => void stopAll(143));
  process.on('SIGHUP', () => void stopAll(129));

  const track = (service) => {
    services.push(service);
    return service;
  };
  const launch = (definition) => {
    const service = track(startService(definition));
    service.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`${label}: ${service.name} stopped unexpectedly (${signal ?? `exit ${code}`}).`);
      void stopAll(1);
    });
    return service;
  };

  let webStarted = false;
  const apiService = launch(api);
  const apiReady = waitForHttp(`${urls.apiUrl}/healthz`, { proc: apiService, timeoutMs: 180_000 }).then(() => {
    if (prepareWeb && !webStarted) log(`API ready at ${urls.apiUrl} — the web app is still building`);
  });
  const webReady = (async () => {
    if (prepareWeb) await prepareWeb({ log, track });
    if (stopping) return;
    webStarted = true;
    const webService = launch(web);
    await waitForHttp(`${urls.webUrl}/sign-in`, { proc: webService, timeoutMs: 180_000 });
  })();

  try {
    await Promise.all([apiReady, webReady]);
  } catch (error) {
    if (!stopping) console.error(`${label}: ${error.message}`);
    await stopAll(1);
    return;
  }
  if (stopping) return;
  console.log(banner(urls));
}

/** The "running" banner: last, framed, and bold/green on a colour terminal. */
export function banner(urls, colour = process.stdout.isTTY && !process.env.NO_COLOR) {
  const lines = [
    'Taskgate is running',
    '',
    `Web app     ${urls.webUrl}`,
    `Playground  ${urls.webUrl}/playground`,
    `API         ${urls.apiUrl}  (/graphql, /api/tasks, docs /api/docs)`,
    '',
    'Press Ctrl-C to stop both.',
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const paint = (text, code) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const rule = paint(`+${'-'.repeat(width + 2)}+`, '32');
  const body = lines.map((line, i) => {
    const text = line.padEnd(width);
    return `${paint('|', '32')} ${i === 0 ? paint(text, '1;32') : text} ${paint('|', '32')}`;
  });
  return ['', rule, ...body, rule, ''].join('\n');
}
