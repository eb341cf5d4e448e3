// The live-update client: a separate process (forked by run.ts) holding the benchmark's WebSocket
// subscribers, so their memory and event loop are not the server's nor the HTTP load generator's.
// Raw `ws` sockets speaking the graphql-ws protocol (subprotocol graphql-transport-ws):
// connection_init with the bearer token, connection_ack, then one `taskEvents` subscription each.
// It talks to the driver over IPC only.
import WebSocket from 'ws';

export interface LiveUser {
  id: string;
  token: string;
}

export type ToLive =
  | { t: 'open'; id: number; url: string; users: LiveUser[]; perUser: number }
  | { t: 'fanout'; id: number; url: string; seconds: number; rate: number; maxInFlight: number }
  | { t: 'events'; id: number }
  | { t: 'close'; id: number };

export interface OpenResult {
  /** Sockets acknowledged (connection_ack) and subscribed, whose subscription delivered an event. */
  confirmed: number;
  /** Sockets that failed to open, were refused or closed, or never delivered the confirming event. */
  failed: number;
  /** Writes made to confirm the subscriptions (one per user, more when one had to be repeated). */
  confirmWrites: number;
  /** ms from the first upgrade to the last socket acknowledged. */
  openMs: number;
  /** ms from then to every subscription having delivered its confirming event. */
  confirmMs: number;
  firstError: string | null;
}

export interface FanoutResult {
  mutations: number;
  failedMutations: number;
  /** Events expected: mutations × the writer's sockets. */
  expected: number;
  /** ms from the mutation's response (body read) to each of the writer's sockets receiving its event; negative: before it. */
  afterResponse: number[];
  /** ms from sending the mutation to each event. */
  afterRequest: number[];
  /** Events that did not arrive within the deadline. */
  lost: number;
  seconds: number;
  firstError: string | null;
}

export type FromLive =
  | { t: 'ready' }
  | { t: 'opened'; id: number; result: OpenResult }
  | { t: 'fanned'; id: number; result: FanoutResult }
  | { t: 'events'; id: number; count: number }
  | { t: 'closed'; id: number }
  | { t: 'error'; id: number; message: string };

const TASK_EVENTS = 'subscription LiveBench { taskEvents { type taskId task { id title completed version } } }';
const CREATE = 'mutation Create($input: CreateTaskInput!) { createTask(input: $input) { id } }';
/** How long one event may take before it counts as lost. */
const EVENT_DEADLINE_MS = 5_000;

interface Sub {
  user: LiveUser;
  socket: WebSocket;
  /** Arrival time (performance.now()) of each task id's event on this socket. */
  seen: Map<string, number>;
  /** Called on every event and on close (waiters for a task id). */
  waiters: Set<() => void>;
  /** Its subscription delivered the confirming event. */
  confirmed: boolean;
  closed: boolean;
}

let subs: Sub[] = [];
const byUser = new Map<string, Sub[]>();
let eventsSinceCount = 0;

function wakeAll(sub: Sub) {
  for (const wake of [...sub.waiters]) wake();
}

function send(message: FromLive) {
  process.send?.(message);
}

/** One socket: open, connection_init → connection_ack, subscribe. Resolves when the subscribe is sent. */
function openOne(url: string, user: LiveUser): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const sub: Sub = { user, socket, seen: new Map(), waiters: new Set(), confirmed: false, closed: false };
    const timer = setTimeout(() => fail(new Error('no connection_ack within 10 s')), 10_000);
    let acked = false;
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    socket.once('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.once('error', (error) => {
      if (!acked) fail(error);
    });
    socket.once('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.token}` } }));
    });
    socket.once('close', (code, reason) => {
      sub.closed = true;
      wakeAll(sub);
      if (!acked) fail(new Error(`closed before connection_ack: ${code} ${String(reason)}`));
    });
    socket.on('message', (data) => {
      let message: { type?: string; id?: string; payload?: any };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      if (message.type === 'connection_ack') {
        acked = true;
        clearTimeout(timer);
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: TASK_EVENTS } }));
        resolve(sub);
      } else if (message.type === 'next') {
        const taskId = message.payload?.data?.taskEvents?.taskId;
        if (typeof taskId === 'string') {
          sub.seen.set(taskId, performance.now());
          eventsSinceCount++;
          wakeAll(sub);
        }
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'error' || message.type === 'complete') {
        sub.closed = true; // the subscription ended: this socket gets no more events
        wakeAll(sub);
      }
    });
  });
}

/** Resolves when every socket in `group` has seen `taskId` (or closed), or after `ms` (whatever arrived). */
function waitForEvent(group: Sub[], taskId: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => group.every((s) => s.seen.has(taskId) || s.closed);
    if (done()) return resolve();
    const check = () => {
      if (done()) finish();
    };
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      for (const s of group) s.waiters.delete(check);
      resolve();
    }
    for (const s of group) s.waiters.add(check);
  });
}

async function createTask(httpBase: string, user: LiveUser, title: string): Promise<string> {
  const res = await fetch(`${httpBase}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ query: CREATE, variables: { input: { title } } }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { data?: { createTask?: { id?: string } }; errors?: unknown };
  const id = body.data?.createTask?.id;
  if (res.status !== 200 || typeof id !== 'string') throw new Error(`createTask: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return id;
}

const httpOf = (wsUrl: string) => wsUrl.replace(/^ws/, 'http').replace(/\/graphql$/, '');
let titles = 0;

async function open(url: string, users: LiveUser[], perUser: number): Promise<OpenResult> {
  if (subs.length > 0) throw new Error('subscribers are already open');
  let firstError: string | null = null;
  const note = (error: unknown) => {
    firstError ??= error instanceof Error ? error.message : String(error);
  };
  const started = performance.now();
  // 50 upgrades in flight: a burst of 1,000 at once only measures the listen backlog.
  const queue = users.flatMap((u) => Array.from({ length: perUser }, () => u));
  const lanes = Array.from({ length: Math.min(50, queue.length) }, async () => {
    for (let u = queue.shift(); u; u = queue.shift()) {
      try {
        const sub = await openOne(url, u);
        subs.push(sub);
        byUser.set(u.id, [...(byUser.get(u.id) ?? []), sub]);
      } catch (error) {
        note(error);
      }
    }
  });
  await Promise.all(lanes);
  const openMs = performance.now() - started;

  // graphql-ws does not acknowledge a subscribe: a subscription is known to be live once it has
  // delivered an event. One write per user, repeated for users whose sockets missed it (the
  // subscribe may still be setting up on the server), 8 users at a time.
  const http = httpOf(url);
  let confirmWrites = 0;
  const pending = [...byUser.values()];
  const confirmLanes = Array.from({ length: Math.min(8, pending.length) }, async () => {
    for (let group = pending.shift(); group; group = pending.shift()) {
      for (let attempt = 0; attempt < 10 && group.some((s) => !s.confirmed && !s.closed); attempt++) {
        try {
          const id = await createTask(http, group[0]!.user, `live bench confirm ${++titles}`);
          confirmWrites++;
          await waitForEvent(group, id, 500);
          for (const s of group) if (s.seen.has(id)) s.confirmed = true;
        } catch (error) {
          firstError ??= error instanceof Error ? error.message : String(error);
          break;
        }
      }
    }
  });
  await Promise.all(confirmLanes);
  for (const s of subs) s.seen.clear();
  eventsSinceCount = 0;
  const confirmed = subs.filter((s) => s.confirmed && !s.closed).length;
  return { confirmed, failed: users.length * perUser - confirmed, confirmWrites, openMs, confirmMs: performance.now() - started - openMs, firstError };
}

/**
 * Mutations at `rate` per second for `seconds` (open loop, at most `maxInFlight` at once), each by a
 * random subscribed user; for each, when every one of that user's sockets received its event.
 */
async function fanout(url: string, seconds: number, rate: number, maxInFlight: number): Promise<FanoutResult> {
  const groups = [...byUser.values()].filter((g) => g.some((s) => !s.closed));
  if (groups.length === 0) throw new Error('no open subscribers');
  const http = httpOf(url);
  const result: FanoutResult = { mutations: 0, failedMutations: 0, expected: 0, afterResponse: [], afterRequest: [], lost: 0, seconds, firstError: null };
  const inFlight = new Set<Promise<void>>();
  const one = async () => {
    const group = groups[Math.floor(Math.random() * groups.length)]!;
    const sent = performance.now();
    let id: string;
    try {
      id = await createTask(http, group[0]!.user, `live bench ${++titles}`);
    } catch (error) {
      result.failedMutations++;
      result.firstError ??= error instanceof Error ? error.message : String(error);
      return;
    }
    const received = performance.now();
    result.mutations++;
    const open = group.filter((s) => !s.closed);
    result.expected += open.length;
    await waitForEvent(open, id, EVENT_DEADLINE_MS);
    for (const s of open) {
      const at = s.seen.get(id);
      s.seen.delete(id);
      if (at === undefined) {
        result.lost++;
        continue;
      }
      result.afterResponse.push(at - received);
      result.afterRequest.push(at - sent);
    }
  };
  const started = performance.now();
  const interval = 1000 / rate;
  for (let n = 0; ; n++) {
    const due = started + n * interval;
    if (due - started >= seconds * 1000) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const p = one().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

async function closeAll(): Promise<void> {
  const closing = subs.map(
    (s) =>
      new Promise<void>((resolve) => {
        if (s.socket.readyState === WebSocket.CLOSED) return resolve();
        const timer = setTimeout(() => {
          s.socket.terminate();
          resolve();
        }, 3_000);
        s.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        s.socket.close(1000, 'bench done');
      }),
  );
  await Promise.all(closing);
  subs = [];
  byUser.clear();
}

function answer<T>(id: number, work: Promise<T>, ok: (value: T) => FromLive) {
  work.then(
    (value) => send(ok(value)),
    (error: unknown) => send({ t: 'error', id, message: error instanceof Error ? error.message : String(error) }),
  );
}

process.on('message', (message: ToLive) => {
  switch (message.t) {
    case 'open':
      return answer(message.id, open(message.url, message.users, message.perUser), (result) => ({ t: 'opened', id: message.id, result }));
    case 'fanout':
      return answer(message.id, fanout(message.url, message.seconds, message.rate, message.maxInFlight), (result) => ({ t: 'fanned', id: message.id, result }));
    case 'events': {
      const count = eventsSinceCount;
      eventsSinceCount = 0;
      return send({ t: 'events', id: message.id, count });
    }
    case 'close':
      return answer(message.id, closeAll(), () => ({ t: 'closed', id: message.id }));
  }
});

// The driver going away (even by SIGKILL) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
