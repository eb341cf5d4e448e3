// Docker cannot run on these machines, so this keeps docker-compose.yml, the Dockerfiles,
// .dockerignore and .env.example honest by reading them: services, images and builds, ports,
// healthchecks, start order, non-root images with production-only dependencies, and the API's
// environment against the README's configuration table and the real config schema.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, REPO_ROOT, loadConfig } from '../src/config/env.js';
import { configTableVariables, readRepoFile, section, tableRows } from './support/readme.js';

type Json = Record<string, any>;
const compose = parse(readRepoFile('docker-compose.yml')) as Json;
const services = compose.services as Record<string, Json>;

/** Docker Compose variable interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name?: string, op?: string, arg = '') => {
    if (whole === '$$') return '$';
    const v = env[name!];
    const unset = op?.startsWith(':') ? v === undefined || v === '' : v === undefined;
    if (op?.endsWith('?') && unset) throw new Error(`required variable ${name} is missing: ${arg}`);
    if (op?.endsWith('-') && unset) return arg;
    return v ?? '';
  });
}

/** A service's `environment` as a map (compose accepts a map or a list of KEY=value). */
function environment(service: Json): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions (line continuations joined, comments dropped). */
function dockerfile(relative: string): Stage[] {
  const text = readRepoFile(relative)
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ base: f[1]!, name: f[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ op, args });
    }
  }
  return stages;
}

const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

/** Minimal .dockerignore matcher (patterns, `**`, `*`, `!` exceptions; last match wins). */
function dockerIgnored(relative: string): boolean {
  const rules = readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const toRegex = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^\//, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, '%GLOBSTAR%')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/%GLOBSTAR%/g, '(?:.*/)?')}(?:/.*)?$`,
    );
  let ignored = false;
  for (const rule of rules) {
    const negate = rule.startsWith('!');
    if (toRegex(negate ? rule.slice(1) : rule).test(relative)) ignored = !negate;
  }
  return ignored;
}

/** `.env.example` → variable → { value, commented }. */
function envExample(): Map<string, { value: string; commented: boolean }> {
  const vars = new Map<string, { value: string; commented: boolean }>();
  for (const line of readRepoFile('.env.example').split('\n')) {
    const m = /^(#\s*)?([A-Z][A-Z0-9_]*)=(\S*)/.exec(line.trim());
    if (m && !vars.has(m[2]!)) vars.set(m[2]!, { value: m[3]!, commented: Boolean(m[1]) });
  }
  return vars;
}

const README_VARS = configTableVariables();

describe('docker-compose.yml', () => {
  it('has postgres, redis, api and web', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis', 'web']);
  });

  it('postgres: PostgreSQL 17 with a pg_isready healthcheck and a named volume', () => {
    const pg = services.postgres!;
    expect(pg.image).toMatch(/^postgres:17(\.|-|$)/);
    expect(JSON.stringify(pg.healthcheck.test)).toMatch(/pg_isready/);
    const [volume, target] = String(pg.volumes[0]).split(':');
    expect(target).toBe('/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
    expect(environment(pg).POSTGRES_DB).toBeTruthy();
  });

  it('redis: Redis 7 with a healthcheck', () => {
    expect(services.redis!.image).toMatch(/^redis:7(\.|-|$)/);
    expect(JSON.stringify(services.redis!.healthcheck.test)).toMatch(/redis-cli.*ping/);
  });

  it('api and web are built from their Dockerfiles with the repository root as context', () => {
    for (const name of ['api', 'web']) {
      const build = services[name]!.build;
      expect(build.context).toBe('.');
      expect(build.dockerfile).toBe(`${name}/Dockerfile`);
      expect(existsSync(path.join(REPO_ROOT, build.dockerfile))).toBe(true);
      expect(services[name]!.init, `${name} runs under an init (signals reach the server)`).toBe(true);
    }
  });

  it('publishes the ports each image listens on, and the healthchecks hit /healthz and /', () => {
    const api = services.api!;
    const web = services.web!;
    const apiPort = environment(api).PORT!;
    expect(api.ports).toEqual([`${apiPort}:${apiPort}`]);
    expect(JSON.stringify(api.healthcheck.test)).toContain(`127.0.0.1:${apiPort}/healthz`);
    expect(web.ports).toEqual(['3000:3000']);
    expect(JSON.stringify(web.healthcheck.test)).toContain('127.0.0.1:3000/');
    for (const [name, port] of [['api', apiPort], ['web', '3000']] as const) {
      const final = dockerfile(`${name}/Dockerfile`).at(-1)!;
      expect(all(final, 'EXPOSE').map((i) => i.args)).toContain(port);
      expect(all(final, 'HEALTHCHECK').length, `${name}/Dockerfile HEALTHCHECK`).toBe(1);
    }
  });

  it('api waits for a healthy postgres (and redis); web waits for a healthy api', () => {
    expect(services.api!.depends_on.postgres).toEqual({ condition: 'service_healthy' });
    expect(services.api!.depends_on.redis).toEqual({ condition: 'service_healthy' });
    expect(services.web!.depends_on.api).toEqual({ condition: 'service_healthy' });
  });

  it('api: production settings, the secret from the environment, and the compose services as backends', () => {
    const env = environment(services.api!);
    expect(env.NODE_ENV).toBe('production');
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.BETTER_AUTH_SECRET).toMatch(/^\$\{BETTER_AUTH_SECRET:\?[^}]+\}$/);
    expect(new URL(interpolate(env.DATABASE_URL!, {})).hostname).toBe('postgres');
    expect(new URL(interpolate(env.REDIS_URL!, {})).hostname).toBe('redis');
  });

  it('every variable the api service sets is in the README configuration table and in .env.example', () => {
    const example = envExample();
    const names = Object.keys(environment(services.api!));
    expect(names.filter((n) => !README_VARS.includes(n))).toEqual([]);
    expect(names.filter((n) => !example.has(n))).toEqual([]);
  });

  it("the api's environment, interpolated as compose does, passes the API's own config schema", () => {
    const raw = environment(services.api!);
    expect(() => interpolate(raw.BETTER_AUTH_SECRET!, {})).toThrow(/BETTER_AUTH_SECRET/);
    const secret = 'x'.repeat(48);
    const env = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(v, { BETTER_AUTH_SECRET: secret })]));
    const config = loadConfig(env);
    expect(config).toMatchObject({ env: 'production', host: '0.0.0.0', port: 4000, betterAuthSecret: secret });
    expect(config.databaseUrl).toMatch(/^postgres:\/\/.*@postgres:5432\//);
  });

  it('web: API_URL is a build argument (Next.js bakes the rewrites at build time) naming the api service', () => {
    const apiUrl = services.web!.build.args.API_URL as string;
    const url = new URL(apiUrl);
    expect(url.hostname).toBe('api');
    expect(url.port).toBe(environment(services.api!).PORT);
    const build = dockerfile('web/Dockerfile').find((s) => all(s, 'RUN').some((r) => /npm run build/.test(r.args)))!;
    const argAt = build.instructions.findIndex((i) => i.op === 'ARG' && /^API_URL\b/.test(i.args));
    const buildAt = build.instructions.findIndex((i) => i.op === 'RUN' && /npm run build/.test(i.args));
    expect(argAt).toBeGreaterThanOrEqual(0);
    expect(argAt).toBeLessThan(buildAt);
  });
});

describe('Dockerfiles', () => {
  for (const name of ['api', 'web']) {
    describe(`${name}/Dockerfile`, () => {
      const stages = dockerfile(`${name}/Dockerfile`);
      const final = stages.at(-1)!;

      it('is multi-stage and its final image runs as a non-root user', () => {
        expect(stages.length).toBeGreaterThanOrEqual(2);
        const users = all(final, 'USER').map((i) => i.args);
        expect(users.length).toBeGreaterThan(0);
        expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
        const cmdAt = final.instructions.findIndex((i) => i.op === 'CMD');
        const userAt = final.instructions.findIndex((i) => i.op === 'USER');
        expect(userAt).toBeLessThan(cmdAt);
      });

      it("the final image's node_modules come from `npm ci --omit=dev` of this workspace", () => {
        const copies = all(final, 'COPY').filter((c) => /node_modules/.test(c.args));
        expect(copies.length).toBeGreaterThan(0);
        for (const copy of copies) {
          const from = /--from=(\S+)/.exec(copy.args)?.[1];
          const source = stages.find((s) => s.name === from);
          expect(source, copy.args).toBeDefined();
          const ci = all(source!, 'RUN').filter((r) => /\bnpm ci\b/.test(r.args));
          expect(ci.length).toBe(1);
          expect(ci[0]!.args).toMatch(/--omit=dev/);
          expect(ci[0]!.args).toMatch(new RegExp(`(-w|--workspace)[ =]${name}\\b`));
        }
      });

      it('copies only files that exist and that .dockerignore lets into the context', () => {
        const problems: string[] = [];
        for (const stage of stages) {
          for (const copy of all(stage, 'COPY').filter((c) => !/--from=/.test(c.args))) {
            const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
            for (const source of parts.slice(0, -1)) {
              if (!existsSync(path.join(REPO_ROOT, source))) problems.push(`${source} does not exist`);
              else if (dockerIgnored(source.replace(/\/$/, ''))) problems.push(`${source} is excluded by .dockerignore`);
            }
          }
        }
        expect(problems).toEqual([]);
      });
    });
  }

  it('api: runs the esbuild bundle dist/src/server.mjs with plain node, built in a stage that has the dev dependencies', () => {
    const stages = dockerfile('api/Dockerfile');
    const final = stages.at(-1)!;
    const cmd = JSON.parse(all(final, 'CMD')[0]!.args) as string[];
    // The same node command line as `npm start --workspace api` (what the bench measures), flags included.
    const start = (JSON.parse(readRepoFile('api/package.json')) as Json).scripts.start as string;
    expect(start).toMatch(/^node (--\S+ )*dist\/src\/server\.mjs$/);
    expect(cmd).toEqual(start.split(' '));
    expect(cmd, 'Node 24 young generation sized as on Node 20 (RSS ≤ 250 MB under load)').toContain('--max-semi-space-size=16');
    expect(all(final, 'WORKDIR').at(-1)!.args).toBe('/app/api');
    // dist comes from a stage that runs `npm run build -w api` after a full `npm ci` (esbuild is a dev dependency).
    const distCopy = all(final, 'COPY').find((c) => /--from=\S+\s+\/app\/api\/dist\s+\.\/api\/dist$/.test(c.args));
    expect(distCopy, 'COPY --from=<build> /app/api/dist ./api/dist').toBeDefined();
    const build = stages.find((s) => s.name === /--from=(\S+)/.exec(distCopy!.args)![1])!;
    expect(all(build, 'RUN').some((r) => /\bnpm run build (-w|--workspace)[ =]api\b/.test(r.args))).toBe(true);
    expect(all(build, 'RUN').find((r) => /\bnpm ci\b/.test(r.args))!.args).not.toMatch(/--omit=dev/);
    const pkg = JSON.parse(readRepoFile('api/package.json')) as Json;
    expect(pkg.scripts.build).toBe('node build.mjs');
    expect(pkg.devDependencies.esbuild).toBeDefined();
    expect(readRepoFile('api/build.mjs')).toMatch(/path\.join\(API_DIR, 'dist', 'src'\)/);
    // The one-off CLIs still run from the sources through tsx, a production dependency.
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(all(final, 'COPY').some((c) => /^api\/src\s/.test(c.args))).toBe(true);
    // schema.graphql is read from the repository root at start.
    expect(all(final, 'COPY').some((c) => /\bschema\.graphql\b/.test(c.args))).toBe(true);
  });

  it("api/src imports only the api workspace's production dependencies (the image has nothing else)", () => {
    const pkg = JSON.parse(readRepoFile('api/package.json')) as Json;
    const allowed = new Set(Object.keys(pkg.dependencies));
    const files = readdirSync(path.join(REPO_ROOT, 'api/src'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    const problems: string[] = [];
    for (const file of files) {
      const source = readRepoFile(path.join('api/src', file));
      // Type-only imports are erased at run time; everything else is loaded.
      const runtime = source.replace(/^(?:import|export) type\b[^;]*;/gm, '');
      for (const m of runtime.matchAll(/\bfrom\s+'([^'.][^']*)'|\bimport\s*\(\s*'([^'.][^']*)'\s*\)|^import\s+'([^'.][^']*)'/gm)) {
        const specifier = (m[1] ?? m[2] ?? m[3])!;
        if (specifier.startsWith('node:')) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        if (!allowed.has(name)) problems.push(`${file}: ${specifier}`);
      }
    }
    expect(files.length).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('every stage runs on the Node 24 LTS that CI tests (scripts/node24.sh) and that `engines` declares', () => {
    const pinned = /version="\$\{NODE24_VERSION:-(24\.\d+)\.\d+\}"/.exec(readRepoFile('scripts/node24.sh'))?.[1];
    expect(pinned, 'scripts/node24.sh pins a 24.x version').toBeDefined();
    for (const name of ['api', 'web']) {
      const text = readRepoFile(`${name}/Dockerfile`);
      const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(text)?.[1];
      expect(image, `${name}/Dockerfile ARG NODE_IMAGE`).toBe(`node:${pinned}-bookworm-slim`);
      const bases = dockerfile(`${name}/Dockerfile`).map((s) => s.base);
      expect(bases.length).toBeGreaterThanOrEqual(2);
      expect(bases.filter((b) => b !== '${NODE_IMAGE}'), `${name}: every FROM uses the one NODE_IMAGE`).toEqual([]);
    }
    for (const manifest of ['package.json', 'api/package.json', 'web/package.json']) {
      const engines = (JSON.parse(readRepoFile(manifest)) as Json).engines?.node as string | undefined;
      expect(engines, `${manifest} engines.node`).toBe('^20.19.5 || ^24');
    }
  });

  it('.dockerignore keeps secrets, local data and host node_modules out of the build context', () => {
    for (const p of ['.env', '.env.local', '.data/db', '.cache/node24/x', 'node_modules/x', 'api/node_modules/x', 'web/.next/x', '.git/HEAD']) {
      expect(dockerIgnored(p), p).toBe(true);
    }
    for (const p of ['api/src/server.ts', 'web/next.config.ts', 'package-lock.json', 'schema.graphql', '.env.example']) {
      expect(dockerIgnored(p), p).toBe(false);
    }
  });
});

describe('.env.example', () => {
  const example = envExample();

  it('lists every variable of the README configuration table, plus REDIS_URL and CORS_ORIGINS', () => {
    expect(README_VARS.length).toBeGreaterThanOrEqual(15);
    expect([...README_VARS, 'REDIS_URL', 'CORS_ORIGINS'].filter((v) => !example.has(v))).toEqual([]);
  });

  it('lists every variable the config schema (api/src/config/env.ts) reads', () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThanOrEqual(14);
    expect(CONFIG_VARIABLES.filter((k) => !example.has(k))).toEqual([]);
  });

  it("sets each variable to the README's default, and leaves those unset by default commented out", () => {
    const problems: string[] = [];
    for (const cells of tableRows(section(readRepoFile('README.md'), '## Configuration'))) {
      const name = cells[0]!.replaceAll('`', '');
      const defaultCell = cells[1]!;
      const entry = example.get(name);
      if (!entry) continue;
      const literal = /^`([^`]+)`/.exec(defaultCell)?.[1];
      const unsetByDefault = !literal || /^[A-Z_]+$/.test(literal) || literal.includes('HOST:PORT') || /in production/.test(defaultCell);
      if (unsetByDefault && !entry.commented) problems.push(`${name} has no fixed default but is set`);
      if (!entry.commented && entry.value !== literal) problems.push(`${name}=${entry.value}, README default ${literal}`);
    }
    expect(problems).toEqual([]);
    expect(example.get('BETTER_AUTH_SECRET')!.commented).toBe(true);
  });

  it('is not ignored by git, while .env is', () => {
    const gitignore = readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8').split('\n');
    expect(gitignore).toContain('.env');
    expect(gitignore).not.toContain('.env.example');
  });
});
