import { authClient } from './client';
import type { TokenFetchResult } from './token-manager';

/** GET /api/auth/token: the session cookie buys a fresh access token (a JWT). */
export async function fetchAccessToken(): Promise<TokenFetchResult> {
  try {
    const { data, error } = await authClient.token();
    if (data?.token) return { ok: true, token: data.token };
    const status = error?.status ?? 0;
    return status === 401 || status === 403
      ? { ok: false, reason: 'unauthenticated' }
      : { ok: false, reason: 'unavailable' };
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
}
