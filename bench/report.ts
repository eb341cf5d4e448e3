// Medians, ratios, targets and the printed/markdown tables.
import type { LoadResult } from './load-worker.js';
import { baseName, type Target } from './scenarios.js';

export interface RoundSample {
  round: number;
  scenario: string;
  target: Target;
  result: LoadResult;
  /** Peak RSS (bytes) of the serving process during the run, sampled from /proc/<pid>/status. */
  rssPeak: number;
  /** Server CPU (user + system, all threads, from /proc/<pid>/stat) per request served. */
  cpuUsPerRequest?: number | null;
  background: LoadResult | null;
  /** The live scenarios (live.idle, live.fanout, gql.create+live): the subscribers and what they saw. */
  live?: LiveSample;
}

export interface LiveSample {
  /** WebSocket subscribers open (each with one taskEvents subscription). */
  connections: number;
  users: number;
  /** When this scenario opened them: how it went. */
  open?: { confirmed: number; failed: number; openMs: number; confirmMs: number; confirmWrites: number };
  /** live.idle: the API's settled RSS (bytes) before and after opening them. */
  rss?: { before: number; after: number; perConnection: number; settled: boolean };
  /** live.fanout: mutations and their events (latencies are in the sample's result: ms after the response). */
  fanout?: {
    rate: number;
    mutations: number;
    expected: number;
    received: number;
    lost: number;
    failedMutations: number;
    /** Events that reached the socket before the mutation's response reached the client. */
    beforeResponse: number;
    /** ms from sending the mutation to the event. */
    afterRequest: { p50: number; p99: number };
  };
  /** gql.create+live: task events the idle subscribers received during the load (0: they were idle). */
  eventsDuringLoad?: number;
}

export interface DbRun {
  db: 'pg' | 'pglite';
  starts: { label: string; ms: number; selfReportedMs: number | null }[];
  seed: Record<string, number>;
  /** Raw password-hash throughput of the API's own algorithm and parameters. */
  hash: { algorithm: string; concurrency: number; hashesPerSecond: number } | null;
  rounds: RoundSample[];
  /** API RSS (bytes) after each round. */
  rssAfterRound: number[];
  floorRssAfterRound: number[];
  loadavgAfter?: number[];
  notes: string[];
}

export interface ScenarioSummary {
  scenario: string;
  target: Target;
  floor: string | null;
  rounds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Median over rounds of (this req/s ÷ its floor's req/s in the same round). */
  ratioRps: number | null;
  /** Median over rounds of (this p99 ÷ its floor's p99 in the same round). */
  ratioP99: number | null;
  rssPeakMB: number;
  problems: number;
  /** Median server CPU µs per request (Node process only; the database's CPU is not included). */
  cpuUs: number | null;
  /** Median over rounds of (this CPU/request ÷ its floor's CPU/request): insensitive to other load. */
  cpuRatio: number | null;
  /** big.*: latency ÷ the small users' REST list latency; rest.list+login: p99 ÷ rest.list p99. */
  vsRestList?: { p50: number; p99: number };
  /** rest.list+login: the background logins/s. */
  backgroundLoginsPerSecond?: number;
  /** auth.login: logins/s ÷ raw hashes/s. */
  vsHash?: number;
  /** X@B (A/B runs): B ÷ A per round, req/s, p99 and CPU/request. */
  vsA?: { rps: number; p99: number; cpu: number | null };
  /** gql.create+live: ÷ gql.create (without subscribers) per round, req/s, p99 and CPU/request. */
  vsWithout?: { rps: number; p99: number; cpu: number | null };
  /** live.idle: median over rounds of the RSS per subscriber, and the rounds' values (bytes). */
  perConnection?: { median: number; rounds: number[]; before: number; after: number; settled: boolean };
  /** live.*: subscribers and users (of the first round). */
  subscribers?: { connections: number; users: number };
  /** live.fanout: summed over rounds. */
  fanout?: { rate: number; mutations: number; received: number; expected: number; lost: number; beforeResponse: number; afterRequestP99: number };
  /** gql.create+live: events the idle subscribers received during the load, summed over rounds. */
  eventsDuringLoad?: number;
}

export interface TargetCheck {
  target: string;
  value: string;
  met: boolean | null;
}

export interface RunSummary {
  scenarios: ScenarioSummary[];
  targets: TargetCheck[];
  rssAfterRoundMB: number[];
  rssGrowthMB: number;
  rssGrowthPct: number;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  machine: { nproc: number; cpu: string; node: string; memGiB: number; kernel: string; loadavgBefore: number[]; loadavgAfter: number[] };
  source: { commit: string; uncommittedApiFiles: number; apiRoot: string };
  settings: Record<string, unknown>;
  scenarios: { name: string; target: Target; floor: string | null; description: string }[];
  runs: (DbRun & { summary: RunSummary })[];
}

const MB = 2 ** 20;

/** The p-th percentile (0–100) of `values` (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const FLOOR_OF: Record<string, string> = {
  'gql.list': 'floor.list',
  'rest.list': 'floor.list',
  'gql.create': 'floor.create',
  'rest.create': 'floor.create',
  'gql.toggle': 'floor.toggle',
  'rest.me': 'floor.me',
  'gql.mix': 'floor.mix',
  'big.first': 'floor.list',
  'big.deep': 'floor.list',
  'rest.list+login': 'floor.list',
  'gql.create+live': 'floor.create',
};

const KB = 1024;

export function summarize(run: DbRun): RunSummary {
  const byName = new Map<string, RoundSample[]>();
  for (const s of run.rounds) byName.set(s.scenario, [...(byName.get(s.scenario) ?? []), s]);
  const inRound = (name: string, round: number) => byName.get(name)?.find((s) => s.round === round);
  const perRound = (name: string, other: string, f: (a: LoadResult, b: LoadResult) => number) => {
    const xs: number[] = [];
    for (const s of byName.get(name) ?? []) {
      const o = inRound(other, s.round);
      if (o) xs.push(f(s.result, o.result));
    }
    return xs.length ? median(xs) : null;
  };
  const safe = (a: number, b: number) => (b > 0 ? a / b : NaN);

  const scenarios: ScenarioSummary[] = [];
  for (const [name, samples] of byName) {
    const base = baseName(name);
    const floor = FLOOR_OF[base] ?? null;
    const summary: ScenarioSummary = {
      scenario: name,
      target: samples[0]!.target,
      floor,
      rounds: samples.length,
      rps: median(samples.map((s) => s.result.rps)),
      p50: median(samples.map((s) => s.result.p50)),
      p99: median(samples.map((s) => s.result.p99)),
      ratioRps: floor ? perRound(name, floor, (a, b) => safe(a.rps, b.rps)) : null,
      ratioP99: floor ? perRound(name, floor, (a, b) => safe(a.p99, b.p99)) : null,
      rssPeakMB: Math.max(...samples.map((s) => s.rssPeak)) / MB,
      cpuUs: (() => {
        const xs = samples.map((s) => s.cpuUsPerRequest).filter((x): x is number => typeof x === 'number');
        return xs.length ? median(xs) : null;
      })(),
      cpuRatio: floor
        ? (() => {
            const xs: number[] = [];
            for (const s of samples) {
              const f = inRound(floor, s.round);
              if (typeof s.cpuUsPerRequest === 'number' && typeof f?.cpuUsPerRequest === 'number' && f.cpuUsPerRequest > 0)
                xs.push(s.cpuUsPerRequest / f.cpuUsPerRequest);
            }
            return xs.length ? median(xs) : null;
          })()
        : null,
      problems: samples.reduce((n, s) => n + s.result.non2xx + s.result.errors + s.result.timeouts + s.result.gqlErrors, 0),
    };
    const restList = name === base ? 'rest.list' : 'rest.list@B';
    if (base.startsWith('big.') || base === 'rest.list+login') {
      const p50 = perRound(name, restList, (a, b) => safe(a.p50, b.p50));
      const p99 = perRound(name, restList, (a, b) => safe(a.p99, b.p99));
      if (p50 !== null && p99 !== null) summary.vsRestList = { p50, p99 };
    }
    if (base === 'rest.list+login') {
      summary.backgroundLoginsPerSecond = median(samples.map((s) => s.background?.rps ?? 0));
    }
    if (base === 'auth.login' && run.hash) summary.vsHash = summary.rps / run.hash.hashesPerSecond;
    const lives = samples.map((s) => s.live).filter((l): l is LiveSample => l !== undefined);
    if (lives.length) summary.subscribers = { connections: lives[0]!.connections, users: lives[0]!.users };
    const rssRounds = lives.map((l) => l.rss).filter((r): r is NonNullable<LiveSample['rss']> => r !== undefined);
    if (rssRounds.length) {
      const mid = [...rssRounds].sort((a, b) => a.perConnection - b.perConnection)[Math.floor((rssRounds.length - 1) / 2)]!;
      summary.perConnection = {
        median: median(rssRounds.map((r) => r.perConnection)),
        rounds: rssRounds.map((r) => r.perConnection),
        before: mid.before,
        after: mid.after,
        settled: rssRounds.every((r) => r.settled),
      };
    }
    const fanouts = lives.map((l) => l.fanout).filter((f): f is NonNullable<LiveSample['fanout']> => f !== undefined);
    if (fanouts.length) {
      const sum = (f: (x: (typeof fanouts)[number]) => number) => fanouts.reduce((n, x) => n + f(x), 0);
      summary.fanout = {
        rate: fanouts[0]!.rate,
        mutations: sum((x) => x.mutations),
        received: sum((x) => x.received),
        expected: sum((x) => x.expected),
        lost: sum((x) => x.lost),
        beforeResponse: sum((x) => x.beforeResponse),
        afterRequestP99: median(fanouts.map((x) => x.afterRequest.p99)),
      };
    }
    if (lives.some((l) => l.eventsDuringLoad !== undefined)) summary.eventsDuringLoad = lives.reduce((n, l) => n + (l.eventsDuringLoad ?? 0), 0);
    const without = base === 'gql.create+live' ? (name === base ? 'gql.create' : 'gql.create@B') : null;
    if (without) {
      const rps = perRound(name, without, (a, b) => safe(a.rps, b.rps));
      const p99 = perRound(name, without, (a, b) => safe(a.p99, b.p99));
      const cpus: number[] = [];
      for (const s of samples) {
        const a = inRound(without, s.round);
        if (typeof s.cpuUsPerRequest === 'number' && typeof a?.cpuUsPerRequest === 'number' && a.cpuUsPerRequest > 0)
          cpus.push(s.cpuUsPerRequest / a.cpuUsPerRequest);
      }
      if (rps !== null && p99 !== null) summary.vsWithout = { rps, p99, cpu: cpus.length ? median(cpus) : null };
    }
    if (name !== base) {
      const rps = perRound(name, base, (a, b) => safe(a.rps, b.rps));
      const p99 = perRound(name, base, (a, b) => safe(a.p99, b.p99));
      const cpus: number[] = [];
      for (const s of samples) {
        const a = inRound(base, s.round);
        if (typeof s.cpuUsPerRequest === 'number' && typeof a?.cpuUsPerRequest === 'number' && a.cpuUsPerRequest > 0)
          cpus.push(s.cpuUsPerRequest / a.cpuUsPerRequest);
      }
      if (rps !== null && p99 !== null) summary.vsA = { rps, p99, cpu: cpus.length ? median(cpus) : null };
    }
    scenarios.push(summary);
  }

  const get = (n: string) => scenarios.find((s) => s.scenario === n);
  const targets: TargetCheck[] = [];
  const ratioTarget = (label: string, name: string, min: number) => {
    const s = get(name);
    if (s?.ratioRps == null) return;
    targets.push({ target: `${label} ≥ ${min} × floor`, value: `${s.ratioRps.toFixed(2)} ×`, met: s.ratioRps >= min });
  };
  ratioTarget('GraphQL tasks(first:20)', 'gql.list', 0.5);
  ratioTarget('REST GET /api/tasks', 'rest.list', 0.6);
  ratioTarget('createTask (GraphQL)', 'gql.create', 0.4);
  ratioTarget('POST /api/tasks', 'rest.create', 0.4);
  ratioTarget('toggleTask (GraphQL)', 'gql.toggle', 0.4);
  for (const name of ['gql.list', 'rest.list', 'gql.create', 'rest.create', 'gql.toggle', 'rest.me', 'gql.mix']) {
    const s = get(name);
    if (s?.ratioP99 == null) continue;
    targets.push({ target: `${name} p99 ≤ 3 × floor p99`, value: `${s.p99} ms = ${s.ratioP99.toFixed(2)} ×`, met: s.ratioP99 <= 3 });
  }
  const apiPeak = Math.max(0, ...scenarios.filter((s) => s.target === 'api').map((s) => s.rssPeakMB));
  if (apiPeak > 0) targets.push({ target: 'API RSS under load ≤ 250 MB', value: `${apiPeak.toFixed(0)} MB peak`, met: apiPeak <= 250 });
  const rssAfterRoundMB = run.rssAfterRound.map((b) => b / MB);
  const rssGrowthMB = rssAfterRoundMB.length > 1 ? rssAfterRoundMB.at(-1)! - rssAfterRoundMB[0]! : 0;
  const rssGrowthPct = rssAfterRoundMB.length > 1 && rssAfterRoundMB[0]! > 0 ? (100 * rssGrowthMB) / rssAfterRoundMB[0]! : 0;
  if (rssAfterRoundMB.length > 1) {
    targets.push({
      target: 'no RSS growth across rounds (≤ 5 %)',
      value: `${rssAfterRoundMB.map((x) => x.toFixed(0)).join(' → ')} MB (${rssGrowthMB >= 0 ? '+' : ''}${rssGrowthMB.toFixed(0)} MB)`,
      met: rssGrowthPct <= 5,
    });
  }
  const restart = run.starts.find((s) => s.label.startsWith('restart'));
  if (restart) targets.push({ target: 'start (restart, migrated DB) < 3 s', value: `${(restart.ms / 1000).toFixed(2)} s`, met: restart.ms < 3000 });
  for (const name of ['big.first', 'big.deep']) {
    const s = get(name);
    if (!s?.vsRestList) continue;
    targets.push({
      target: `${name} latency ≤ 1.3 × small user's (p50)`,
      value: `p50 ${s.p50} ms = ${s.vsRestList.p50.toFixed(2)} ×, p99 ${s.vsRestList.p99.toFixed(2)} ×`,
      met: s.vsRestList.p50 <= 1.3,
    });
  }
  const underLogin = get('rest.list+login');
  if (underLogin?.vsRestList) {
    targets.push({
      target: 'list p99 under login load ≤ 3 × without',
      value: `${underLogin.p99} ms = ${underLogin.vsRestList.p99.toFixed(2)} × (${(underLogin.backgroundLoginsPerSecond ?? 0).toFixed(1)} logins/s)`,
      met: underLogin.vsRestList.p99 <= 3,
    });
  }
  const idle = get('live.idle');
  if (idle?.perConnection && idle.subscribers) {
    const pc = idle.perConnection;
    targets.push({
      target: `API RSS per idle subscriber ≤ 20 KB (${idle.subscribers.connections} graphql-ws sockets, ${idle.subscribers.users} users)`,
      value:
        `${(pc.median / KB).toFixed(1)} KB (rounds ${pc.rounds.map((x) => (x / KB).toFixed(1)).join(' / ')}; ` +
        `RSS ${(pc.before / MB).toFixed(0)} → ${(pc.after / MB).toFixed(0)} MB${pc.settled ? '' : ', RSS did not settle'})`,
      met: pc.median <= 20 * KB,
    });
  }
  const fan = get('live.fanout');
  if (fan?.fanout && fan.subscribers) {
    const f = fan.fanout;
    targets.push({
      target: `fan-out p99 ≤ 50 ms (mutation response → event on each of the writer's ${Math.round(fan.subscribers.connections / fan.subscribers.users)} sockets)`,
      value:
        `p50 ${fan.p50} ms, p99 ${fan.p99} ms (${f.received} of ${f.expected} events, ${f.mutations} mutations at ${f.rate}/s; ` +
        `${((100 * f.beforeResponse) / Math.max(1, f.received)).toFixed(0)} % before the response; p99 from the request ${fmt(f.afterRequestP99, 1)} ms)`,
      met: fan.p99 <= 50 && f.lost === 0,
    });
  }
  const withLive = get('gql.create+live');
  if (withLive?.vsWithout && withLive.subscribers) {
    targets.push({
      target: `createTask with ${withLive.subscribers.connections} idle subscribers ≥ 0.9 × without (req/s)`,
      value:
        `${withLive.vsWithout.rps.toFixed(2)} × (CPU/request ${fmt(withLive.vsWithout.cpu)} ×, p99 ${withLive.vsWithout.p99.toFixed(2)} ×` +
        `${withLive.eventsDuringLoad ? `; !! the idle subscribers received ${withLive.eventsDuringLoad} events` : ''})`,
      met: withLive.vsWithout.rps >= 0.9,
    });
  }
  const login = get('auth.login');
  if (login?.vsHash !== undefined && run.hash) {
    targets.push({
      target: `logins/s vs raw hashes/s, ${run.hash.algorithm} (informational)`,
      value: `${login.rps.toFixed(1)} vs ${run.hash.hashesPerSecond.toFixed(1)} = ${login.vsHash.toFixed(2)} ×`,
      met: null,
    });
  }
  return { scenarios, targets, rssAfterRoundMB, rssGrowthMB, rssGrowthPct };
}

const ORDER = [
  'floor.list', 'gql.list', 'rest.list', 'floor.create', 'gql.create', 'live.idle', 'live.fanout', 'gql.create+live', 'rest.create', 'floor.toggle', 'gql.toggle',
  'floor.me', 'rest.me', 'floor.mix', 'gql.mix', 'big.first', 'big.deep', 'auth.login', 'rest.list+login',
];
const rank = (name: string) => ORDER.indexOf(baseName(name)) * 2 + (name === baseName(name) ? 0 : 1);
const sorted = (xs: ScenarioSummary[]) => [...xs].sort((a, b) => rank(a.scenario) - rank(b.scenario));

const fmt = (x: number | null | undefined, digits = 2) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(digits));
const rpsFmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function rows(run: Report['runs'][number]): string[][] {
  return sorted(run.summary.scenarios).map((s) => [
    s.scenario,
    s.perConnection ? '–' : rpsFmt(s.rps),
    s.perConnection ? '–' : String(s.p50),
    s.perConnection ? '–' : String(s.p99),
    s.ratioRps == null ? (s.vsHash !== undefined ? `${fmt(s.vsHash)} × raw hash` : '–') : fmt(s.ratioRps),
    fmt(s.ratioP99),
    s.cpuUs === null ? '–' : s.cpuUs.toFixed(0),
    fmt(s.cpuRatio),
    s.rssPeakMB.toFixed(0),
    s.vsRestList ? `${fmt(s.vsRestList.p50)} / ${fmt(s.vsRestList.p99)}` : '',
    s.problems ? String(s.problems) : '',
    ...(isAB(run) ? [s.vsA ? `${fmt(s.vsA.rps)} / ${fmt(s.vsA.p99)} / ${fmt(s.vsA.cpu)}` : ''] : []),
  ]);
}

const HEAD = ['scenario', 'req/s', 'p50 ms', 'p99 ms', '× floor req/s', 'p99 × floor', 'CPU µs/req', 'CPU × floor', 'RSS MB', 'lat × rest.list p50/p99', 'non-2xx/err'];
const isAB = (run: Report['runs'][number]) => run.summary.scenarios.some((s) => s.vsA);
const head = (run: Report['runs'][number]) => (isAB(run) ? [...HEAD, 'B ÷ A req/s / p99 / CPU'] : HEAD);

/** One line about a live scenario's round, for the progress log. */
export function describeLive(live: LiveSample): string {
  const parts = [`${live.connections} subscribers over ${live.users} users`];
  if (live.open) {
    parts.push(
      `opened in ${(live.open.openMs / 1000).toFixed(1)} s, confirmed in ${(live.open.confirmMs / 1000).toFixed(1)} s` +
        ` (${live.open.confirmWrites} writes)${live.open.failed ? `, ${live.open.failed} FAILED` : ''}`,
    );
  }
  if (live.rss) {
    parts.push(
      `RSS ${(live.rss.before / MB).toFixed(1)} → ${(live.rss.after / MB).toFixed(1)} MB = ${(live.rss.perConnection / KB).toFixed(1)} KB per socket` +
        (live.rss.settled ? '' : ' (not settled)'),
    );
  }
  if (live.fanout) {
    const f = live.fanout;
    parts.push(
      `${f.mutations} mutations → ${f.received}/${f.expected} events (${f.beforeResponse} before the response, ${f.lost} lost); ` +
        `from the request p50 ${f.afterRequest.p50} ms, p99 ${f.afterRequest.p99} ms`,
    );
  }
  if (live.eventsDuringLoad !== undefined) parts.push(`events to the idle subscribers during the load: ${live.eventsDuringLoad}`);
  return parts.join('; ');
}

/** Live scenarios: what their columns mean, under the table. */
function liveNotes(run: Report['runs'][number]): string[] {
  const names = new Set(run.summary.scenarios.map((s) => baseName(s.scenario)));
  const out: string[] = [];
  if (names.has('live.idle')) out.push('`live.idle`: no requests; RSS MB is the peak while the subscribers opened (the target below uses the settled readings).');
  if (names.has('live.fanout')) {
    out.push('`live.fanout`: req/s = createTask mutations/s; p50/p99 = ms from the mutation\'s response to its event on each of the writer\'s sockets (negative: the event came first); CPU per mutation, its events included.');
  }
  return out;
}

export function renderTable(report: Report): string {
  const out: string[] = [];
  for (const run of report.runs) {
    const body = rows(run);
    const HEAD = head(run);
    const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    out.push(`${run.db === 'pg' ? 'PostgreSQL' : 'PGlite'} — medians of ${report.settings.rounds} rounds`);
    out.push(line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line));
    out.push(...liveNotes(run));
    out.push(`API RSS after each round: ${run.summary.rssAfterRoundMB.map((x) => x.toFixed(0)).join(' → ')} MB`);
    out.push(`starts: ${run.starts.map((s) => `${s.label} ${(s.ms / 1000).toFixed(2)} s`).join('; ')}`);
    for (const t of run.summary.targets) out.push(`  [${t.met === null ? ' i ' : t.met ? ' ok' : 'MISS'}] ${t.target}: ${t.value}`);
    out.push('');
  }
  return out.join('\n');
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(`# Taskgate benchmark${report.smoke ? ' (smoke run — numbers mean nothing)' : ''}`, '');
  out.push(
    `${report.startedAt} · ${m.nproc} cores (${m.cpu}) · ${m.memGiB} GiB · Node ${m.node} · load average before ${m.loadavgBefore.join(' ')}, after ${m.loadavgAfter.join(' ')}`,
    '',
  );
  const st = report.settings;
  out.push(
    `${st.users} users × ${st.tasksPerUser} tasks + one user with ${st.bigTasks}; ${st.loginUsers} users logged in (random user per request); ` +
      `${st.connections} connections; warm-up ${st.warmup} s; ${st.rounds} rounds × ${st.duration} s; medians. ` +
      `Ratios are per round (floor measured minutes apart at most), then the median.` +
      (Object.keys(st.apiEnv as object).length ? ` API env: \`${JSON.stringify(st.apiEnv)}\`.` : '') +
      (st.apiRoot !== '.' ? ` API from \`${String(st.apiRoot)}\`.` : '') +
      (st.apiEntry ? ` API entry \`${String(st.apiEntry)}\`.` : '') +
      ` Code: commit ${report.source.commit}${report.source.uncommittedApiFiles ? ` + ${report.source.uncommittedApiFiles} uncommitted api/src files` : ''}` +
      `${report.source.apiRoot !== '.' ? ` (HEAD when the run started; the API ran from a copy of the tree at \`${report.source.apiRoot}\`)` : ''}.`,
    '',
  );
  for (const run of report.runs) {
    out.push(`## ${run.db === 'pg' ? 'PostgreSQL' : 'PGlite (embedded)'}`, '');
    const HEAD = head(run);
    for (const note of run.notes) out.push(`${note}`, '');
    out.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of rows(run)) out.push(`| ${r.join(' | ')} |`);
    out.push('');
    for (const note of liveNotes(run)) out.push(note, '');
    out.push(
      `API RSS after each round: ${run.summary.rssAfterRoundMB.map((x) => x.toFixed(0)).join(' → ')} MB ` +
        `(growth ${run.summary.rssGrowthMB >= 0 ? '+' : ''}${run.summary.rssGrowthMB.toFixed(0)} MB, ${run.summary.rssGrowthPct.toFixed(1)} %); ` +
        `floor RSS ${run.floorRssAfterRound.map((x) => (x / MB).toFixed(0)).join(' → ')} MB.`,
      '',
    );
    out.push(`Start: ${run.starts.map((s) => `${s.label}: ${(s.ms / 1000).toFixed(2)} s${s.selfReportedMs !== null ? ` (self-reported ${s.selfReportedMs} ms)` : ''}`).join('; ')}.`, '');
    out.push(
      `Seed: ${run.seed.users} users registered in ${fmt(run.seed.registerSeconds, 0)} s, ${run.seed.taskRows} task rows in ${fmt(run.seed.taskSeconds, 1)} s, ` +
        `${run.seed.tokens} tokens via login in ${fmt(run.seed.loginSeconds, 0)} s.` +
        (run.hash ? ` Raw password hash (${run.hash.algorithm}): ${run.hash.hashesPerSecond.toFixed(1)} hashes/s (${run.hash.concurrency} in flight).` : ''),
      '',
    );
    out.push('| target | measured | |', '|---|---|---|');
    for (const t of run.summary.targets) out.push(`| ${t.target} | ${t.value} | ${t.met === null ? 'info' : t.met ? 'met' : '**missed**'} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
