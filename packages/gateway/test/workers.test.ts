/**
 * `workers: 2`: two gateway worker threads on one port (SO_REUSEPORT). A limit of 100/min is
 * exact across both, both serve, a worker killed under load is replaced while the other's
 * requests all succeed, a config file change under load reaches every worker, and /metrics
 * adds up every worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { echoService, makeConfig, quietLogger, SECRET, until, type TestServer } from './helpers.ts';
import { WorkerLoad } from './workers-load.ts';
import {
  explain,
  formatLive,
  liveState,
  startGatewayWorkers,
  type GatewayConfig,
  type GatewayWorkerPool,
} from '../src/index.ts';

let orders: TestServer;
let pool: GatewayWorkerPool;
let dir: string;
let configFile: string;

function config(extraRoute = false): GatewayConfig {
  return makeConfig(
    { orders: [orders.url] },
    [
      { path: '/api/v1/strict', methods: ['GET'], service: 'orders', auth: 'none', rate_limits: ['strict'] },
      { path: '/api/v1/orders', methods: ['GET'], service: 'orders', auth: 'none' },
      ...(extraRoute
        ? [{ path: '/api/v1/added', methods: ['GET'], service: 'orders', auth: 'none' as const }]
        : []),
    ],
    {
      workers: 2,
      policies: {
        rate_limits: { strict: { limit: 100, window: '1m', by: ['route'], on_store_failure: 'closed' } },
      },
    },
  );
}

beforeAll(async () => {
  orders = await echoService('orders');
  dir = await mkdtemp(join(tmpdir(), 'portico-workers-'));
  configFile = join(dir, 'portico.yaml');
  await writeFile(configFile, stringify(config()));
  pool = await startGatewayWorkers({
    workers: 2,
    config: config(),
    configPath: configFile,
    passportSecret: SECRET,
    logger: quietLogger,
    port: 0,
    host: '127.0.0.1',
  });
}, 30_000);

afterAll(async () => {
  await pool?.close();
  await orders.close();
  await rm(dir, { recursive: true, force: true });
});

describe('two gateway workers', () => {
  it('enforce a limit of 100/min exactly across both under load from many connections', async () => {
    const load = new WorkerLoad(32);
    await load.burst(`${pool.url}/api/v1/strict`, 300, 32);
    load.close();
    expect(load.failures).toEqual([]);
    const statuses = load.outcomes.map((o) => o.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200);
    expect([...load.workersSeen()].sort()).toEqual(['0', '1']);

    const metrics = await (await fetch(`${pool.url}/metrics`)).text();
    expect(metrics).toContain(
      'portico_gateway_ratelimit_decisions_total{policy="strict",decision="allowed"} 100',
    );
    expect(metrics).toContain(
      'portico_gateway_ratelimit_decisions_total{policy="strict",decision="limited"} 200',
    );
    expect(metrics).toMatch(/portico_gateway_store_up\{worker="0",kind="memory"\} 1/);
    expect(metrics).toMatch(/portico_gateway_store_up\{worker="1",kind="memory"\} 1/);
  });

  it('replaces a killed worker while every request on the other one succeeds', async () => {
    const load = new WorkerLoad(16);
    const traffic = load.run(`${pool.url}/api/v1/orders`, 16);
    await until(() => load.outcomes.length >= 200, 10_000);
    const before = pool.workers().find((w) => w.id === 0)!.threadId;
    await pool.terminate(0);
    await until(() => pool.workers().some((w) => w.id === 0 && w.threadId !== before && w.listening), 15_000);
    const served = load.outcomes.length;
    await until(() => load.outcomes.length >= served + 200, 10_000);
    // New connections reach the new worker 0 too.
    const probe = new WorkerLoad(1);
    await until(
      async () => (await probe.get(`${pool.url}/api/v1/orders`, true), probe.workersSeen().has('0')),
    );
    await traffic.stop();
    load.close();
    probe.close();

    expect(load.failures.filter((f) => f.worker === '1')).toEqual([]);
    // Only requests in flight on the killed worker's connections may fail: at most one per connection.
    expect(load.failures.length).toBeLessThanOrEqual(16);
    expect(load.outcomes.every((o) => o.status === 200)).toBe(true);
    expect(probe.failures).toEqual([]);
    expect(pool.replacements).toBe(1);
    // /health, from whichever worker answers, lists both, the replaced one with its restart.
    const health = (await (await fetch(`${pool.url}/health`)).json()) as { workers: unknown };
    expect(health.workers).toEqual([
      { id: 0, state: 'serving', restarts: 1 },
      { id: 1, state: 'serving', restarts: 0 },
    ]);
    // `portico explain --live` prints the same, with the route's service.
    const e = explain(config(), 'GET', '/api/v1/orders');
    const live = formatLive(await liveState(pool.url), e.route!.service);
    expect(live).toContain('gateway healthy');
    expect(live).toContain('service orders: healthy');
    expect(live).toContain('workers: #0 serving (1 restart), #1 serving');
  }, 40_000);

  it('applies a changed config file to every worker under load, with no failed request', async () => {
    const load = new WorkerLoad(16);
    const traffic = load.run(`${pool.url}/api/v1/orders`, 16);
    await until(() => load.outcomes.length >= 100, 10_000);
    await writeFile(configFile, stringify(config(true)));
    const probe = new WorkerLoad(1);
    // The new route answers on fresh connections to both workers (every worker has it).
    await until(async () => {
      const o = await probe.get(`${pool.url}/api/v1/added`, true);
      return 'status' in o && probe.outcomes.filter((x) => x.status === 200).length > 0 && bothServedAdded();
    }, 15_000);
    function bothServedAdded(): boolean {
      const ok = new Set(probe.outcomes.filter((x) => x.status === 200).map((x) => x.worker));
      return ok.has('0') && ok.has('1');
    }
    const reloadedAt = probe.outcomes.findIndex((x) => x.status === 200);
    await traffic.stop();
    load.close();
    probe.close();
    expect(load.failures).toEqual([]);
    expect(load.outcomes.every((o) => o.status === 200)).toBe(true);
    // Once one worker had the new route, no later probe was refused by the other.
    expect(probe.outcomes.slice(reloadedAt).every((x) => x.status === 200)).toBe(true);
    expect(probe.failures).toEqual([]);
  }, 40_000);
});
