// Listen, and close gracefully on SIGTERM/SIGINT. Everything else is in app.ts.
import v8 from 'node:v8';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/env.js';

async function main() {
  const started = Date.now();
  const config = loadConfig();
  // Under load V8 otherwise lets the heap grow to 4 × its live size between full collections
  // (peak RSS ≈ 345 MB); × 2 keeps it ≈ 225 MB at the same throughput (bench/README.md). Not a
  // cap: the heap still grows as far as the live data needs. It is not accepted in NODE_OPTIONS,
  // hence set here, once, before the heap has grown.
  // The young generation cannot be sized from here (V8 fixes it when the heap is set up): Node 24
  // doubled its default (semi-spaces of 32 MB instead of 16), ≈ 80 MB more RSS under load, so
  // `npm start` and the Docker image pass `--max-semi-space-size=16` on the command line.
  if (config.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  const { app } = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite (${config.dataDir}/db)`;
  app.log.info(`Taskgate API ready in ${Date.now() - started} ms on ${where}`);
  console.log(`Taskgate API: http://${config.host}:${config.port}  (GraphQL /graphql, REST /api/tasks, auth /api/auth)`);

  // SIGTERM: drain (readiness 503, still serving) for SHUTDOWN_DRAIN_SECONDS, then stop accepting,
  // finish in-flight requests, close the database and Redis, exit 0 (plugins/lifecycle.ts).
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const drainMs = config.shutdownDrainSeconds * 1000;
    const force = setTimeout(() => {
      app.log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, drainMs + 10_000);
    force.unref();
    if (drainMs > 0) {
      app.lifecycle.drain();
      app.log.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'draining: /readyz answers 503, still serving');
      await new Promise((resolve) => setTimeout(resolve, drainMs));
    }
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Taskgate API failed to start:', error);
  }
  process.exit(1);
});
