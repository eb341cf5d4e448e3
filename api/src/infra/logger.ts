// The API's log: JSON lines (pino) in production and test, for log collectors; in development a
// human-readable console (pino-pretty) with one short line per request instead of Fastify's two
// JSON lines ("incoming request" + "request completed").
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config/env.js';

/** Never logged, in any format. */
const REDACT = {
  paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
  censor: '[redacted]',
};

/** Query parameters whose values are credentials (reset / verification links, OAuth codes). */
const SECRET_QUERY = /token|code|secret|password|key/i;

export function isPrettyLog(config: Pick<Config, 'env'>): boolean {
  return config.env === 'development';
}

/**
 * Fastify's request serializer (method, url, host, remote address and port), with credential-like
 * query values redacted from the url: a reset or verification link followed to the API must not
 * leave its token in the production log.
 */
const SERIALIZERS = {
  req(request: FastifyRequest) {
    return {
      method: request.method,
      url: loggableUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort,
    };
  },
};

export async function loggerOptions(config: Pick<Config, 'env' | 'logLevel'>): Promise<FastifyServerOptions['logger']> {
  if (!isPrettyLog(config)) return { level: config.logLevel, redact: REDACT, serializers: SERIALIZERS };
  // Loaded only here: production and test never load the formatter.
  const { default: pretty } = await import('pino-pretty');
  return {
    level: config.logLevel,
    redact: REDACT,
    serializers: SERIALIZERS,
    // A stream in this thread rather than a worker-thread transport: nothing to resolve at run time
    // (the esbuild bundle keeps packages external), and synchronous, so the last lines before an
    // exit are not lost. Colours follow the terminal (FORCE_COLOR / NO_COLOR are honoured).
    stream: pretty({
      sync: true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId',
      singleLine: true,
    }),
  };
}

/** `GET /api/tasks?status=done` with credential-like query values replaced. */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_QUERY.test(decodeURIComponentSafe(name)) ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, at)}?${params.join('&')}`;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Health probes (`npm start` polls /healthz until the API answers): not worth a console line. */
const PROBES = new Set(['/healthz', '/readyz']);

/**
 * Development: one line per request, `GET /api/tasks 200 4 ms`, when it completes (nothing when it
 * arrives; nothing for successful health probes). Fastify's other request logs (errors, 404s) are
 * unchanged.
 */
export class BriefRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (!error && reply.statusCode < 400 && PROBES.has(request.url)) return;
    const line = `${request.method} ${loggableUrl(request.url)} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`;
    if (error) reply.log.error({ err: error }, line);
    else if (reply.statusCode >= 500) reply.log.warn(line);
    else reply.log.info(line);
  }
}

/** Fastify's `logController`: brief request lines in development, Fastify's own otherwise. */
export function logController(config: Pick<Config, 'env'>): LogController | undefined {
  return isPrettyLog(config) ? new BriefRequestLog() : undefined;
}
