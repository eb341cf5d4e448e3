import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt } from '../../test/fake-api';
import { TokenManager, type TokenFetchResult } from './token-manager';

const SERVER_NOW = 1_900_000_000; // seconds; deliberately far from the test clock (skew)

function tokenSource(ttlSeconds = 900) {
  let issued = 0;
  const fetchToken = vi.fn(async (): Promise<TokenFetchResult> => {
    issued += 1;
    return { ok: true, token: fakeJwt({ sub: 'u1', iat: SERVER_NOW + issued, exp: SERVER_NOW + issued + ttlSeconds }) };
  });
  return fetchToken;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-11-25T12:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('access token in memory', () => {
  it('refreshes shortly before expiry, by the token lifetime even when the clocks disagree', async () => {
    const fetchToken = tokenSource(900);
    const tokens = new TokenManager({ fetchToken, onSessionEnded: vi.fn() });
    const first = await tokens.get();
    expect(first).toBeTruthy();
    expect(tokens.needsRefresh()).toBe(false);

    await vi.advanceTimersByTimeAsync(839_000); // 15 min token: refreshed in its last minute
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(tokens.peek()).not.toBe(first);

    await vi.advanceTimersByTimeAsync(10 * 60_000); // no refresh storm
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('shares one refresh between concurrent callers', async () => {
    const fetchToken = tokenSource();
    const tokens = new TokenManager({ fetchToken, onSessionEnded: vi.fn() });
    const [a, b, c] = await Promise.all([tokens.get(), tokens.get(), tokens.refresh()]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(new Set([a, b, c]).size).toBe(1);
  });

  it('forgets everything on clear(), including a refresh still in flight', async () => {
    let resolve!: (result: TokenFetchResult) => void;
    const fetchToken = vi.fn(() => new Promise<TokenFetchResult>((r) => (resolve = r)));
    const tokens = new TokenManager({ fetchToken, onSessionEnded: vi.fn() });
    const pending = tokens.get();
    tokens.clear();
    resolve({ ok: true, token: fakeJwt({ sub: 'previous-user', iat: 1, exp: 901 }) });
    expect(await pending).toBeNull();
    expect(tokens.peek()).toBeNull();
  });

  it('ends the session once when the token endpoint refuses, and keeps a token through an outage', async () => {
    const onSessionEnded = vi.fn();
    const results: TokenFetchResult[] = [
      { ok: true, token: fakeJwt({ sub: 'u1', iat: 1000, exp: 1900 }) },
      { ok: false, reason: 'unavailable' },
      { ok: false, reason: 'unauthenticated' },
      { ok: false, reason: 'unauthenticated' },
    ];
    const tokens = new TokenManager({ fetchToken: async () => results.shift()!, onSessionEnded });
    const token = await tokens.get();
    expect(await tokens.refresh()).toBe(token); // server unreachable: still usable
    expect(onSessionEnded).not.toHaveBeenCalled();
    expect(await tokens.refresh()).toBeNull();
    expect(await tokens.refresh()).toBeNull();
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
    expect(tokens.peek()).toBeNull();
  });
});
