// Shutdown behind a load balancer (plugins/lifecycle.ts, server.ts):
// a) SIGTERM with SHUTDOWN_DRAIN_SECONDS: /readyz turns 503 at once while requests are still
//    served (with Connection: close) and subscriptions still pushed, then the server closes the
//    sockets with 1001, stops accepting and exits 0.
// b) a request that reaches a closing server on a connection it already had gets 503
//    SERVICE_UNAVAILABLE in the documented shape, not Fastify's own body; the in-flight one finishes.
import { rmSync, mkdtempSync } from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, spawnApi, type ApiProcess } from './support/api-process.js';
import { startApi } from './support/harness.js';
import { liveClient, untilSubscribed, wsUrl } from './support/ws.js';

const DRAIN_SECONDS = 3;

describe('SIGTERM with a drain period', () => {
  it('readiness fails first, requests keep being served during the drain, then the server closes and exits 0', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tg-drain-'));
    let api: ApiProcess | undefined;
    try {
      api = await spawnApi({ env: { DATA_DIR: dataDir, SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS), LOG_LEVEL: 'info' } });
      const user = await api.registerUser();
      expect((await api.request('GET', '/readyz')).status).toBe(200);
      const live = await liveClient(wsUrl(api.url), user.accessToken);
      await untilSubscribed(live, async () => {
        const res = await api!.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'probe' } });
        await api!.request('DELETE', `/api/tasks/${res.body.id}`, { token: user.accessToken });
        return res.body.id as string;
      });

      const signalledAt = Date.now();
      api.signal('SIGTERM');
      await eventually(async () => (await api!.request('GET', '/readyz')).status === 503, 1_000, '/readyz 503 after SIGTERM');
      const ready = await api.request('GET', '/readyz');
      expect([ready.status, ready.body]).toEqual([503, { status: 'not ready', checks: { shutdown: 'draining' } }]);

      // Still serving, reads and writes, but asking keep-alive clients to reconnect elsewhere.
      const created = await api.request('POST', '/api/tasks', { token: user.accessToken, body: { title: 'during the drain' } });
      expect(created.status, created.text).toBe(201);
      const list = await api.request('GET', '/api/tasks', { token: user.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.tasks.map((t: { title: string }) => t.title)).toEqual(['during the drain']);
      expect(list.headers.get('connection')).toBe('close');
      expect((await api.request('GET', '/healthz')).status).toBe(200);
      // The subscriber is still served during the drain…
      expect(await live.waitFor((e) => e.taskId === created.body.id)).toMatchObject({ type: 'CREATED' });
      expect(Date.now() - signalledAt).toBeLessThan(DRAIN_SECONDS * 1000);
      // …and told 1001 Going Away once it is over.
      const closed = await live.closed;
      expect(closed.code).toBe(1001);
      expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(DRAIN_SECONDS * 1000);

      const exit = await api.exited;
      const took = Date.now() - signalledAt;
      expect(exit, api.output()).toEqual({ code: 0, signal: null });
      expect(took).toBeGreaterThanOrEqual(DRAIN_SECONDS * 1000);
      expect(took).toBeLessThan(DRAIN_SECONDS * 1000 + 10_000);
      expect(api.output()).toMatch(/draining: \/readyz answers 503, still serving/);

      // The task written during the drain was acknowledged, so it is there after a restart.
      api = await spawnApi({ env: { DATA_DIR: dataDir } });
      const after = await api.request('GET', '/api/tasks', { token: user.accessToken });
      expect(after.body.tasks.map((t: { title: string }) => t.title)).toEqual(['during the drain']);
    } finally {
      await api?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Reads HTTP/1.1 responses off a raw socket until it closes. */
function responsesOf(socket: net.Socket): Promise<{ status: number; headers: string; body: string }[]> {
  return new Promise((resolve, reject) => {
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (raw += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const out: { status: number; headers: string; body: string }[] = [];
      let rest = raw;
      while (rest.startsWith('HTTP/1.1 ')) {
        const headEnd = rest.indexOf('\r\n\r\n');
        const head = rest.slice(0, headEnd);
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        out.push({ status: Number(head.slice(9, 12)), headers: head, body: rest.slice(headEnd + 4, headEnd + 4 + length) });
        rest = rest.slice(headEnd + 4 + length);
      }
      resolve(out);
    });
  });
}

/** Resolves as soon as `condition` holds (checked every 5 ms). */
async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a request that arrives while the server is closing', () => {
  it('gets 503 SERVICE_UNAVAILABLE in the documented shape; the request in flight on that connection completes', { timeout: 60_000 }, async () => {
    const api = await startApi('pglite');
    let closed = false;
    try {
      const user = await api.registerUser();
      const port = Number(new URL(api.url).port);
      const body = JSON.stringify({ title: 'in flight at shutdown' });
      const socket = net.connect(port, '127.0.0.1');
      const answers = responsesOf(socket);
      await new Promise((resolve) => socket.once('connect', resolve));
      const received = new Promise<http.IncomingMessage>((resolve) => api.built.app.server.once('request', resolve));
      // Request 1: headers now (its hooks run and it waits for its body), body later.
      socket.write(
        `POST /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.accessToken}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      // Its hooks have run once Fastify starts reading its body.
      const inFlight = await received;
      await until(() => inFlight.listenerCount('data') > 0, 'request 1 waiting for its body');
      const closing = api.close();
      closed = true;
      await until(() => api.built.app.lifecycle.phase === 'closing', 'the server closing');
      // The body of request 1, and request 2 pipelined behind it on the same connection.
      socket.write(`${body}GET /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user.accessToken}\r\n\r\n`);
      const [first, second, ...more] = await answers;
      await closing;
      expect(more).toEqual([]);
      expect(first?.status, first?.body).toBe(201);
      expect(JSON.parse(first!.body).title).toBe('in flight at shutdown');
      expect(second?.status).toBe(503);
      const requestId = /x-request-id: *([0-9a-f-]+)/i.exec(second!.headers)?.[1];
      expect(JSON.parse(second!.body)).toEqual({
        error: { code: 'SERVICE_UNAVAILABLE', message: 'This server is shutting down; retry the request.', requestId },
      });
      expect(second!.headers).toMatch(/retry-after: 1/i);
      expect(second!.headers).toMatch(/connection: close/i);
    } finally {
      if (!closed) await api.close();
    }
  });
});
