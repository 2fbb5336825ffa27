/**
 * The gateway as users run it: `portico start gateway` as its own OS process, configured by a
 * YAML file, in front of upstream services that are their own processes, with a Redis that is
 * really stopped and restarted. Covers what only shows across process boundaries: two
 * gateway processes sharing one limit, the store dying under a running gateway, an upstream
 * process killed under load, and SIGHUP reloads under load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { REDIS_URL, serverUnavailable } from '@portico/kit/testing';
import { deleteRedisKeys, ejected, sleep, until } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const UPSTREAM = join(import.meta.dirname, 'fixtures/upstream-process.ts');

interface Proc {
  child: ChildProcess;
  /** Everything the process printed, for the failure message. */
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns a process and resolves once a line of its output matches `ready`. */
function spawnUntil(
  cmd: string,
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<{ proc: Proc; match: RegExpExecArray }> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const proc: Proc = {
    child,
    output: () => out.slice(-4000),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void proc.stop('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not start in time:\n${out}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ proc, match });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
  });
}

async function startUpstream(name: string): Promise<{ url: string; proc: Proc }> {
  const { proc, match } = await spawnUntil(process.execPath, [UPSTREAM, name], /READY (\d+)/);
  return { url: `http://127.0.0.1:${match[1]}`, proc };
}

/** `portico start gateway` on a config file; resolves with its URL once it listens. */
async function startGatewayProcess(
  configFile: string,
  env: Record<string, string> = {},
): Promise<{ url: string; proc: Proc }> {
  const { proc, match } = await spawnUntil(
    process.execPath,
    [CLI, 'start', 'gateway'],
    /gateway listening on (http:\/\/[^\s]+)/,
    {
      PORTICO_CONFIG: configFile,
      PORTICO_PASSPORT_SECRET: `process-test-${randomUUID()}`,
      PORT: '0',
      HOST: '127.0.0.1',
      PORTICO_LOG_LEVEL: 'warn',
      ...env,
    },
  );
  return { url: match[1]!, proc };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function config(orders: string[], prefix: string, extraRoutes: object[] = []) {
  const limited = (name: string) => ({
    path: `/api/v1/${name}`,
    methods: ['GET'],
    service: 'orders',
    auth: 'none',
    rate_limits: [name],
  });
  return {
    version: 1,
    services: {
      orders: {
        instances: orders,
        health: { path: '/health/ready', interval: '200ms', timeout: '200ms' },
        openapi: false,
        timeouts: { connect: '300ms' },
      },
      identity: { instances: ['http://127.0.0.1:9'], health: false, openapi: false },
    },
    store: { prefix, timeout: '200ms' },
    policies: {
      rate_limits: {
        limited: { limit: 5, window: '1m', by: ['ip'] },
        open: { limit: 1000, window: '1m', by: ['ip'], on_store_failure: 'open' },
        closed: { limit: 1000, window: '1m', by: ['ip'], on_store_failure: 'closed' },
      },
    },
    routes: [
      limited('limited'),
      limited('open'),
      limited('closed'),
      { prefix: '/api/v1/orders', service: 'orders', auth: 'none' },
      ...extraRoutes,
    ],
  };
}

async function metric(gatewayUrl: string, pattern: RegExp): Promise<number> {
  const m = pattern.exec(await (await fetch(`${gatewayUrl}/metrics`)).text());
  return m ? Number(m[1]) : 0;
}

/** Runs `n` clients sending GETs back to back until `stop()`; records every status. */
function load(url: string, n: number) {
  let stopped = false;
  const results: { at: number; status: number }[] = [];
  const workers = Array.from({ length: n }, async () => {
    while (!stopped) {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
      results.push({ at: Date.now(), status: res?.status ?? 0 });
      await res?.arrayBuffer().catch(() => undefined);
    }
  });
  return {
    results,
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

let dir: string;
let upA: { url: string; proc: Proc };
let upB: { url: string; proc: Proc };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portico-gw-processes-'));
  [upA, upB] = await Promise.all([startUpstream('a'), startUpstream('b')]);
}, 60_000);

afterAll(async () => {
  await Promise.all([upA?.proc.stop(), upB?.proc.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('two gateway processes sharing Redis', async () => {
  const skip = await serverUnavailable('redis');
  const prefix = `proc-test:${randomUUID()}:`;
  let one: { url: string; proc: Proc };
  let two: { url: string; proc: Proc };

  beforeAll(async () => {
    if (skip) return;
    const file = join(dir, 'shared.yaml');
    await writeFile(file, stringify(config([upB.url], prefix)));
    [one, two] = await Promise.all([
      startGatewayProcess(file, { REDIS_URL }),
      startGatewayProcess(file, { REDIS_URL }),
    ]);
  }, 60_000);
  afterAll(async () => {
    if (skip) return;
    await Promise.all([one?.proc.stop(), two?.proc.stop()]);
    await deleteRedisKeys(prefix);
  });

  it.skipIf(skip)('enforce one limit: the request past it on either process gets 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await fetch(`${(i % 2 ? two : one).url}/api/v1/limited`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const gw of [one, two]) {
      const res = await fetch(`${gw.url}/api/v1/limited`);
      expect(res.status).toBe(429);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.headers.get('ratelimit-policy')).toContain('"limited";q=5;w=60');
    }
  });
});

describe('Redis stopped under a running gateway process', async () => {
  const haveRedisServer = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
  const reason = haveRedisServer ? null : 'redis-server is not installed (apt-get install -y redis-server)';
  if (reason && (process.env.CI === 'true' || process.env.CI === '1'))
    throw new Error(`${reason}; in CI it is required`);
  let port: number;
  let redis: Proc | undefined;
  let gw: { url: string; proc: Proc };

  const startRedis = async () =>
    (
      await spawnUntil(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        /Ready to accept connections/,
      )
    ).proc;

  beforeAll(async () => {
    if (reason) return;
    port = await freePort();
    redis = await startRedis();
    const file = join(dir, 'own-redis.yaml');
    await writeFile(file, stringify(config([upB.url], 'own:')));
    gw = await startGatewayProcess(file, { REDIS_URL: `redis://127.0.0.1:${port}` });
  }, 60_000);
  afterAll(async () => {
    await gw?.proc.stop();
    await redis?.stop();
  });

  it.skipIf(reason)(
    'keeps each policy’s fail mode without a request hanging, and counts again once Redis is back',
    async () => {
      const get = (path: string) =>
        fetch(`${gw.url}${path}`, { signal: AbortSignal.timeout(5000) }).then(async (r) => ({
          status: r.status,
          remaining: r.headers.get('x-ratelimit-remaining'),
          type: r.headers.get('content-type'),
          body: await r.text(),
        }));
      expect((await get('/api/v1/open')).remaining).toBe('999');
      expect((await get('/api/v1/closed')).remaining).toBe('999');

      await redis!.stop('SIGKILL');
      for (let i = 0; i < 5; i++) {
        const [open, closed] = await Promise.all([get('/api/v1/open'), get('/api/v1/closed')]);
        expect(open.status).toBe(200);
        expect(open.remaining).toBeNull(); // no count to show: the store could not answer
        expect(closed.status).toBe(503);
        expect(closed.type).toContain('application/problem+json');
        expect(closed.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|redis/i);
      }
      expect(
        await metric(
          gw.url,
          /portico_gateway_ratelimit_decisions_total\{policy="open",decision="store_failed_open"\} (\d+)/,
        ),
      ).toBeGreaterThanOrEqual(5);
      expect(
        await metric(
          gw.url,
          /portico_gateway_ratelimit_decisions_total\{policy="closed",decision="store_failed_closed"\} (\d+)/,
        ),
      ).toBeGreaterThanOrEqual(5);

      redis = await startRedis(); // empty: it kept nothing on disk
      await until(async () => (await get('/api/v1/closed')).status === 200, 10_000, 100);
      const again = await get('/api/v1/closed');
      expect(again.status).toBe(200);
      expect(Number(again.remaining)).toBeLessThan(1000);
    },
    40_000,
  );
});

describe('an upstream process killed under load', () => {
  let victim: { url: string; proc: Proc };
  let gw: { url: string; proc: Proc };

  beforeAll(async () => {
    victim = await startUpstream('victim');
    const file = join(dir, 'two-instances.yaml');
    await writeFile(file, stringify(config([victim.url, upA.url], 'kill:')));
    gw = await startGatewayProcess(file);
  }, 60_000);
  afterAll(async () => {
    await gw?.proc.stop();
    await victim?.proc.stop();
  });

  it('fails no request: in-flight GETs are retried on the survivor, then the dead one is ejected', async () => {
    const traffic = load(`${gw.url}/api/v1/orders/x`, 8);
    await sleep(400);
    const before = traffic.results.length;
    await victim.proc.stop('SIGKILL');
    await until(() => ejected(gw.url, 'orders', victim.url), 5000);
    await sleep(700);
    await traffic.stop();
    expect(before).toBeGreaterThan(20);
    expect(traffic.results.length).toBeGreaterThan(before + 50);
    expect(traffic.results.filter((r) => r.status !== 200)).toEqual([]);
    const answered = await (await fetch(`${gw.url}/api/v1/orders/y`)).json();
    expect(answered).toMatchObject({ instance: 'a', passport: true });
  }, 30_000);
});

describe('SIGHUP to a gateway process under load', () => {
  let file: string;
  let gw: { url: string; proc: Proc };

  beforeAll(async () => {
    file = join(dir, 'reload.yaml');
    await writeFile(file, stringify(config([upA.url], 'reload:')));
    gw = await startGatewayProcess(file);
  }, 60_000);
  afterAll(async () => {
    await gw?.proc.stop();
  });

  const reloads = (result: string) =>
    metric(gw.url, new RegExp(`portico_gateway_config_reloads_total\\{result="${result}"\\} (\\d+)`));

  it('swaps in a changed file without losing a request, and keeps serving when the new file is invalid', async () => {
    const traffic = load(`${gw.url}/api/v1/orders/x`, 6);
    await sleep(200);
    const newRoute = { path: '/api/v1/new', methods: ['GET'], service: 'orders', auth: 'none' };
    await writeFile(file, stringify(config([upA.url], 'reload:', [newRoute])));
    gw.proc.child.kill('SIGHUP');
    await until(async () => (await fetch(`${gw.url}/api/v1/new`)).status === 200, 5000);
    await sleep(200);

    const invalidBefore = await reloads('invalid');
    await writeFile(file, 'version: 1\nservices: {}\nroutes:\n  - path: /x\n    service: nowhere\n');
    gw.proc.child.kill('SIGHUP');
    await until(async () => (await reloads('invalid')) > invalidBefore, 5000);
    await sleep(200);
    await traffic.stop();

    expect(traffic.results.length).toBeGreaterThan(50);
    expect(traffic.results.filter((r) => r.status !== 200)).toEqual([]);
    expect((await fetch(`${gw.url}/api/v1/new`)).status).toBe(200);
    expect(gw.proc.child.exitCode).toBeNull();
  }, 30_000);
});
