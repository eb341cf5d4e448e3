// Runs the API and the web app together until Ctrl-C (or until one of them stops), then stops
// both process groups.
import { portInUse, startService, stopService, waitForUrl } from './processes.mjs';

export function servicePorts(env = process.env) {
  const host = env.HOST ?? '127.0.0.1';
  const apiPort = Number(env.API_PORT ?? 4000);
  const webPort = Number(env.WEB_PORT ?? 3000);
  const apiUrl = `http://${host}:${apiPort}`;
  const webUrl = `http://${host}:${webPort}`;
  return { host, apiPort, webPort, apiUrl, webUrl, publicUrl: env.PUBLIC_URL ?? webUrl };
}

/** Exits 1 naming the port and the variable to change when the API's or the web app's port is taken. */
export async function exitIfPortsBusy(urls, label) {
  for (const [name, port, variable] of [
    ['API', urls.apiPort, 'API_PORT'],
    ['web', urls.webPort, 'WEB_PORT'],
  ]) {
    if (await portInUse(port, urls.host)) {
      console.error(`${label}: port ${port} (${name}) is already in use. Stop what runs there, or set ${variable}.`);
      process.exit(1);
    }
  }
}

export async function runTogether({ api, web, urls, label }) {
  let stopping = false;
  const services = [];

  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${label}: stopping…`);
    await Promise.all(services.map((service) => stopService(service)));
    console.log(`${label}: stopped.`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(130));
  process.on('SIGTERM', () => void stopAll(143));
  process.on('SIGHUP', () => void stopAll(129));

  services.push(startService(api), startService(web));
  for (const service of services) {
    service.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`${label}: ${service.name} stopped unexpectedly (${signal ?? `exit ${code}`}).`);
      void stopAll(1);
    });
  }

  try {
    await Promise.all([
      waitForUrl(`${urls.apiUrl}/healthz`, { service: services[0], timeoutMs: 180_000 }),
      waitForUrl(`${urls.webUrl}/sign-in`, { service: services[1], timeoutMs: 180_000 }),
    ]);
  } catch (error) {
    console.error(`${label}: ${error.message}`);
    await stopAll(1);
    return;
  }
  console.log(`
  Taskgate is running
    Web app     ${urls.webUrl}
    Playground  ${urls.webUrl}/playground
    API         ${urls.apiUrl}  (GraphQL ${urls.apiUrl}/graphql; the browser uses ${urls.webUrl}/graphql)
  Press Ctrl-C to stop both.
`);
}
