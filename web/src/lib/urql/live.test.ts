import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt } from '../../test/fake-api';
import { fakeLive } from '../../test/fake-live';
import { TokenManager, type TokenFetchResult } from '../auth/token-manager';
import { RECONNECT_GRACE_MS, liveUrl, retryDelayMs } from './live';

const SUBSCRIPTION = { query: 'subscription { taskEvents { type taskId } }' };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function tokenSource() {
  let n = 0;
  const results: TokenFetchResult[] = [];
  const fetchToken = vi.fn(async (): Promise<TokenFetchResult> => {
    const next = results.shift();
    if (next) return next;
    n += 1;
    const now = Math.floor(Date.now() / 1000);
    return { ok: true, token: fakeJwt({ sub: `u1-${n}`, iat: now, exp: now + 900 }) };
  });
  const onSessionEnded = vi.fn();
  const tokens = new TokenManager({ fetchToken, onSessionEnded });
  return { tokens, fetchToken, onSessionEnded, refuseNext: () => results.push({ ok: false, reason: 'unauthenticated' }) };
}

const bearer = (init: unknown) => (init as { authorization?: string }).authorization;

afterEach(() => vi.useRealTimers());

describe('LiveSocket', () => {
  it('connects to the page origin with ws: or wss:, and backs off 1 s, 2 s, 4 s … up to 30 s', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/graphql');
    expect(liveUrl({ protocol: 'https:', host: 'tasks.example.com' })).toBe('wss://tasks.example.com/graphql');
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => retryDelayMs(n, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect(retryDelayMs(0, () => 0.999)).toBe(1999);
  });

  it('sends the current access token in connection_init and reports Live', async () => {
    const { tokens, fetchToken } = tokenSource();
    const { live, ws } = fakeLive(tokens);
    expect(live.status).toBe('idle');
    live.subscribe(SUBSCRIPTION, { next: () => undefined, error: () => undefined, complete: () => undefined });
    expect(live.status).toBe('connecting');
    await vi.waitFor(() => expect(live.status).toBe('live'));
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(bearer(ws.inits[0])).toBe(`Bearer ${tokens.peek()}`);
  });

  it('after 4401 refreshes the token once, reconnects with the new one, and the subscription carries on', async () => {
    const { tokens, fetchToken, onSessionEnded } = tokenSource();
    const { live, ws } = fakeLive(tokens);
    const next = vi.fn();
    const error = vi.fn();
    live.subscribe(SUBSCRIPTION, { next, error, complete: () => undefined });
    await vi.waitFor(() => expect(live.status).toBe('live'));
    const first = tokens.peek();

    ws.drop(4401, 'Unauthorized: the session ended');
    await vi.waitFor(() => expect(ws.inits).toHaveLength(2));
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(bearer(ws.inits[1])).toBe(`Bearer ${tokens.peek()}`);
    expect(tokens.peek()).not.toBe(first);
    await vi.waitFor(() => expect(live.status).toBe('live'));

    ws.emit({ type: 'DELETED', taskId: 't1' });
    expect(next).toHaveBeenCalledTimes(1);
    expect(error).not.toHaveBeenCalled();
    expect(onSessionEnded).not.toHaveBeenCalled();
  });

  it('after 4401 at expiry, when the token was already renewed, reconnects without another refresh', async () => {
    const { tokens, fetchToken } = tokenSource();
    const { live, ws } = fakeLive(tokens);
    live.subscribe(SUBSCRIPTION, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await vi.waitFor(() => expect(live.status).toBe('live'));
    await tokens.refresh(); // the TokenManager's timer, shortly before `exp`
    expect(fetchToken).toHaveBeenCalledTimes(2);

    ws.drop(4401, 'Unauthorized: the access token expired');
    await vi.waitFor(() => expect(ws.inits).toHaveLength(2));
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(bearer(ws.inits[1])).toBe(`Bearer ${tokens.peek()}`);
  });

  it('after 4401 with a refused refresh, ends the session once and does not reconnect', async () => {
    const { tokens, refuseNext, onSessionEnded } = tokenSource();
    const { live, ws } = fakeLive(tokens);
    const error = vi.fn();
    live.subscribe(SUBSCRIPTION, { next: () => undefined, error, complete: () => undefined });
    await vi.waitFor(() => expect(live.status).toBe('live'));

    refuseNext();
    ws.drop(4401, 'Unauthorized: the session ended');
    await vi.waitFor(() => expect(onSessionEnded).toHaveBeenCalledTimes(1));
    await flush();
    expect(ws.inits).toHaveLength(1);
    await vi.waitFor(() => expect(live.status).toBe('reconnecting'), { timeout: 3000 });
    expect(ws.inits).toHaveLength(1);
    expect(error).not.toHaveBeenCalled();
  });

  it('says Reconnecting… only when a drop outlasts the grace period; a reconnection calls onReconnected', async () => {
    vi.useFakeTimers();
    const { tokens } = tokenSource();
    const { live, ws } = fakeLive(tokens);
    const statuses: string[] = [];
    live.onStatus(() => statuses.push(live.status));
    const reconnected = vi.fn();
    live.onReconnected(reconnected);
    live.subscribe(SUBSCRIPTION, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await vi.waitFor(() => expect(live.status).toBe('live'));
    expect(reconnected).not.toHaveBeenCalled();

    // A quick reconnection (a renewed token): no flash.
    ws.drop(1006);
    await vi.advanceTimersByTimeAsync(RECONNECT_GRACE_MS / 2);
    await ws.reopen();
    await vi.advanceTimersByTimeAsync(RECONNECT_GRACE_MS);
    expect(statuses).toEqual(['connecting', 'live']);
    expect(reconnected).toHaveBeenCalledTimes(1);

    // A real outage.
    ws.drop(1006);
    await vi.advanceTimersByTimeAsync(RECONNECT_GRACE_MS + 10);
    expect(live.status).toBe('reconnecting');
    await ws.reopen();
    expect(live.status).toBe('live');
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    expect(reconnected).toHaveBeenCalledTimes(2);
  });

  it('retries a close graphql-ws gives up on (4429) after a backoff, and passes a GraphQL refusal on', async () => {
    const { tokens } = tokenSource();
    const waits: number[] = [];
    const { live, ws } = fakeLive(tokens, async (ms) => void waits.push(ms));
    const error = vi.fn();
    live.subscribe(SUBSCRIPTION, { next: () => undefined, error, complete: () => undefined });
    await vi.waitFor(() => expect(live.status).toBe('live'));

    const [first] = [...ws.subscriptions];
    ws.subscriptions.clear();
    first!.sink.error({ code: 4429, reason: 'Too many connections for this account' });
    await vi.waitFor(() => expect(ws.subscriptions.size).toBe(1));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(error).not.toHaveBeenCalled();

    const refusal = [{ message: 'Rate limited', extensions: { code: 'RATE_LIMITED' } }];
    [...ws.subscriptions][0]!.sink.error(refusal);
    expect(error).toHaveBeenCalledWith(refusal);
  });
});

