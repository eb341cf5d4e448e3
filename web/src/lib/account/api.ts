// The account routes of the REST API (/api/auth/...): one call, one plain result, never a throw.
// The account page uses REST, not GraphQL: several account operations exist only there (e-mail
// change, verification, password reset, deleting the account), so one transport and one error
// vocabulary serve every form; nothing on the page needs the task screens' normalized cache.
//
// Routes that need a signed-in user carry the in-memory access token. A 401 that says the token is
// no good (UNAUTHENTICATED) gets one token refresh and one retry, as the GraphQL client does; when
// the session itself is gone (revoked elsewhere, expired) the refresh fails and the TokenManager
// ends the session, which takes the browser to /sign-in. A 401 INVALID_CREDENTIALS (a wrong
// password typed into a form) is the user's mistake, not the session's: it is returned as is.
import type { TokenManager } from '../auth/token-manager';

export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | {
      ok: false;
      /** 0 when the server could not be reached. */
      status: number;
      code: string | undefined;
      message: string | undefined;
      retryAfterSeconds: number | null;
    };

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  error?: { code?: unknown; message?: unknown };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function send<T>(request: ApiRequest, token: string | null): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(request.path, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      credentials: 'same-origin',
    });
  } catch {
    return { ok: false, status: 0, code: undefined, message: undefined, retryAfterSeconds: null };
  }
  const raw = await response.text().catch(() => '');
  let parsed: unknown = null;
  if (raw !== '') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = null;
    }
  }
  if (response.ok) return { ok: true, status: response.status, data: parsed as T };
  const body = (parsed ?? {}) as ErrorBody;
  return {
    ok: false,
    status: response.status,
    code: text(body.code) ?? text(body.error?.code),
    message: text(body.message) ?? text(body.error?.message),
    retryAfterSeconds:
      Number(response.headers.get('Retry-After') ?? response.headers.get('X-Retry-After')) || null,
  };
}

/** A route that needs no session (forgot / reset password, verification, e-mail confirmation). */
export function callPublic<T = unknown>(request: ApiRequest): Promise<ApiResult<T>> {
  return send<T>(request, null);
}

const tokenRefused = (result: ApiResult<unknown>) =>
  !result.ok && result.status === 401 && (result.code === undefined || result.code === 'UNAUTHENTICATED');

/** A route for the signed-in user: the access token, one refresh-and-retry on a refused token. */
export async function callAuthed<T = unknown>(tokens: TokenManager, request: ApiRequest): Promise<ApiResult<T>> {
  const first = await send<T>(request, await tokens.get());
  if (!tokenRefused(first)) return first;
  const renewed = await tokens.refresh();
  if (!renewed) return first; // the session is gone (the TokenManager signs out) or unreachable
  return send<T>(request, renewed);
}
