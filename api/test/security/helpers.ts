// Shared helpers for the security suites: raw HTTP (paths sent byte for byte, a chosen source
// address), JWT decoding, session cookies and row counts.
import http from 'node:http';
import { expect } from 'vitest';
import { checkedRequestId, TEST_ISSUER, type HttpResult, type TestApi } from '../support/harness.js';

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no dot-segment removal, no slash merging, no re-encoding (fetch does all three). */
  path: string;
  headers?: Record<string, string>;
  token?: string;
  /** JSON-encoded with Content-Type: application/json unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  /** Source address of the TCP connection (any 127.0.0.0/8 address works on Linux): a distinct client IP. */
  localAddress?: string;
}

/** One request over node:http, so that odd paths and source addresses reach the server as written. */
export function rawRequest<T = any>(baseUrl: string, req: RawRequest): Promise<HttpResult<T>> {
  const target = new URL(baseUrl);
  const headers: Record<string, string> = { ...req.headers };
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  let payload = req.rawBody;
  if (payload === undefined && req.body !== undefined) {
    payload = JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.path,
        headers,
        localAddress: req.localAddress,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
            else if (value !== undefined) responseHeaders.set(key, value);
          }
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON
          }
          resolve(checkedRequestId({ status: response.statusCode ?? 0, headers: responseHeaders, body: parsed as T, text }));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}

/** 429 RATE_LIMITED with a Retry-After in 1..windowSeconds that the message repeats. */
export function expectRateLimited(res: HttpResult, windowSeconds: number) {
  expect({ status: res.status, text: res.text }).toMatchObject({ status: 429 });
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^[0-9]+$/);
  const seconds = Number(retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
  expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: `Too many attempts; retry in ${seconds} s.`, requestId: expect.any(String) } });
  expect(res.headers.get('cache-control')).toBe('no-store');
}

/** `name=value` of the first Set-Cookie whose name contains `session_token`, plus its attributes. */
export function sessionCookie(res: HttpResult): { pair: string; name: string; attributes: string[] } {
  const cookies = res.headers.getSetCookie();
  const line = cookies.find((c) => c.split('=')[0]!.includes('session_token'));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(cookies)} (${res.status} ${res.text})`);
  const [pair, ...attributes] = line.split(';').map((s) => s.trim());
  return { pair: pair!, name: pair!.split('=')[0]!, attributes };
}

export async function count(api: TestApi, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await api.built.db.query<{ n: number | string }>(sql, params);
  return Number(rows[0]!.n);
}

/** The Origin better-auth trusts in the suites (the harness's PUBLIC_URL). */
export const OWN_ORIGIN = TEST_ISSUER;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
