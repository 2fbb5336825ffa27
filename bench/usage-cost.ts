/**
 * What usage recording (packages/gateway/src/usage/) costs per request, in CPU µs, two ways in
 * one run (≤ 60 s):
 *
 * 1. The recorder alone: `record()` for 500 000 requests over 600 distinct (route, status,
 *    caller) keys, then the same with the flush into the embedded store (PGlite in memory, on
 *    this thread as in `portico dev`) every 5 000 requests — each flush upserts the rows seen
 *    since the last. CPU is the process's user+system time; no HTTP around it, so a loaded
 *    machine disturbs it least.
 * 2. Through a gateway: the same gateway in front of a tiny upstream (same process), usage on
 *    (flushing into PGlite every second) and off (`usage.enabled: false`), alternating rounds of
 *    8 000 requests from a load thread with 32 in flight. Reported: this thread's CPU per
 *    request (`process.threadCpuUsage`: the gateway, the upstream and PGlite, not the load
 *    thread), median of the rounds.
 *
 *   npx node bench/usage-cost.ts [--rounds 3] [--requests 8000]
 */
import { createServer } from 'node:http';
import { pino } from 'pino';
import { PGliteProvider } from '@portico/kit/runtime';
import { createGateway, SqlUsageStore, type GatewayConfig } from '../packages/gateway/src/index.ts';
import { UsageRecorder, type UsageHit } from '../packages/gateway/src/usage/recorder.ts';
import type { UsageRow, UsageStore } from '../packages/gateway/src/usage/store.ts';
import { f1, log, machine, median, opt, runLoad } from './common.ts';

const ROUNDS = Number(opt('rounds', '3'));
const REQUESTS = Number(opt('requests', '8000'));
const RECORDS = 500_000;

const quiet = pino({ level: 'silent' });
const settings = { sampleRate: 1, flushMs: 3_600_000, retentionDays: 90 };

/** 600 distinct keys: 20 routes × 3 statuses × 10 callers. */
const hits: UsageHit[] = [];
for (let r = 0; r < 20; r++)
  for (const status of [200, 404, 422])
    for (let c = 0; c < 10; c++)
      hits.push({
        route: `/api/v1/things${r}/{id}`,
        method: 'GET',
        status,
        latencyMs: 1.5,
        userId: `0192d6c4-7c1e-7000-8000-${String(c).padStart(12, '0')}`,
        apiKeyId: c % 2 ? null : `0192d6c4-7c1e-7000-9000-${String(c).padStart(12, '0')}`,
        plan: null,
        deprecated: false,
      });

/** CPU of this thread only (the gateway, the upstream and PGlite; not the load thread). */
const threadCpuUs = () => {
  const u = process.threadCpuUsage();
  return u.user + u.system;
};

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function recorderCost(store: UsageStore, flushEvery: number): Promise<number> {
  const rec = new UsageRecorder(store, settings, quiet);
  const now = Date.now();
  for (let i = 0; i < 50_000; i++) rec.record(hits[i % hits.length]!, now); // warm-up
  await rec.flush();
  const t0 = cpuUs();
  for (let i = 0; i < RECORDS; i++) {
    // One wall-clock second per flush: the minute moves on as it would.
    rec.record(hits[i % hits.length]!, now + Math.floor(i / 5000) * 1000);
    if (flushEvery > 0 && i % flushEvery === flushEvery - 1) await rec.flush();
  }
  await rec.flush();
  return (cpuUs() - t0) / RECORDS;
}

function gatewayConfig(upstream: string, usage: boolean): GatewayConfig {
  return {
    version: 1,
    services: { echo: { instances: [upstream], health: false } },
    routes: [
      {
        name: 'echo',
        path: '/api/v1/echo',
        methods: ['POST'],
        service: 'echo',
        auth: 'none',
        idempotency: false,
      },
    ],
    usage: { enabled: usage, flush_interval: '1s' },
    access_log: false,
  } as GatewayConfig;
}

async function main(): Promise<void> {
  log(machine());
  const provider = await PGliteProvider.open({});
  const store = await SqlUsageStore.open(await provider.forService('usage'));
  const noop: UsageStore = {
    write: (_rows: readonly UsageRow[]) => Promise.resolve(),
    report: (f, i) => store.report(f, i),
    deprecatedCallers: (f) => store.deprecatedCallers(f),
    keyUsedByOther: (k, u, w) => store.keyUsedByOther(k, u, w),
    prune: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };

  const recordOnly = await recorderCost(noop, 0);
  const withFlush = await recorderCost(store, 5000);
  log(
    `recorder: record ${f1(recordOnly * 1000)} ns, with PGlite flush ${f1(withFlush * 1000)} ns per request`,
  );

  const upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const gateways = {
    on: await createGateway({
      config: gatewayConfig(upstreamUrl, true),
      passportSecret: 'bench-secret-bench-secret-bench-secret',
      port: 0,
      logger: quiet,
      usageStore: store,
    }),
    off: await createGateway({
      config: gatewayConfig(upstreamUrl, false),
      passportSecret: 'bench-secret-bench-secret-bench-secret',
      port: 0,
      logger: quiet,
    }),
  };
  for (const g of Object.values(gateways)) await g.listen();
  const requests = Array.from({ length: REQUESTS }, () => ({
    path: '/api/v1/echo',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  }));
  const busyUs: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const rps: Record<'on' | 'off', number[]> = { on: [], off: [] };
  await runLoad(gateways.on.url, requests.slice(0, 5000), 32); // warm-up
  await runLoad(gateways.off.url, requests.slice(0, 5000), 32);
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const cpu0 = threadCpuUs();
      const result = await runLoad(gateways[mode].url, requests, 32);
      const cpu = threadCpuUs() - cpu0;
      const ok = result.statuses[200] ?? 0;
      if (ok !== REQUESTS) throw new Error(`${mode}: ${JSON.stringify(result.statuses)} ${result.bodies[0]}`);
      busyUs[mode].push(cpu / REQUESTS);
      rps[mode].push(REQUESTS / (result.elapsedMs / 1000));
      log(`round ${round + 1} usage ${mode}: ${f1(cpu / REQUESTS)} µs main-thread CPU per request`);
    }
  await Promise.all(Object.values(gateways).map((g) => g.close()));
  await new Promise((r) => upstream.close(r));
  const recorded = await store.report(
    {
      fromMinute: Math.floor(Date.now() / 60_000) - 10,
      toMinute: Math.floor(Date.now() / 60_000) + 1,
      route: '/api/v1/echo',
    },
    'day',
  );
  await provider.close();

  const on = median(busyUs.on);
  const off = median(busyUs.off);
  console.log(`| usage recording | CPU µs per request |`);
  console.log(`|---|---|`);
  console.log(`| record() alone (600 keys) | ${f1(recordOnly)} |`);
  console.log(`| record() + flush into PGlite each 5 000 requests | ${f1(withFlush)} |`);
  console.log(
    `| gateway main thread, usage off (median of ${ROUNDS}) | ${f1(off)} (${Math.round(median(rps.off))} req/s) |`,
  );
  console.log(
    `| gateway main thread, usage on (median of ${ROUNDS}) | ${f1(on)} (${Math.round(median(rps.on))} req/s) |`,
  );
  console.log(`| difference (on − off) | ${f1(on - off)} |`);
  console.log(
    `\n${machine()}; requests recorded by the "on" gateway: ${recorded.totals.requests} of ${5000 + ROUNDS * REQUESTS}`,
  );
}

await main();
