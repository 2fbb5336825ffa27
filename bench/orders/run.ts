/**
 * The orders benchmark, one command (Node 24 through npm): `npx node bench/orders/run.ts`.
 *
 * 1. Orders placed per second, closed loop (a fixed number of POST /api/v1/orders in flight,
 *    each from its own prepared cart), against orders + shipping at service level on PGlite
 *    and on PostgreSQL (memory bus), and through the gateway (the embedded platform: identity,
 *    orders, shipping on PGlite). The load runs in a worker thread. The three run in rotated
 *    order within each round and are reported per round and as ratios to PGlite in the same
 *    round, because the machine (2 cores, shared) is noisy. Also: consumer lag under that load
 *    (event time → shipment committed) and how long the chain took to drain after the load.
 * 2. Order commit → shipment created, one order at a time: from the moment the order's
 *    transaction committed to the moment shipping's transaction that created the shipment
 *    committed, on the memory bus and on NATS (each on PGlite and PostgreSQL).
 *
 * Options: --rounds N (3) --orders N (1200) --concurrency N (16) --latency-orders N (100)
 *          --only throughput|latency --stacks pglite,postgres,gateway,gateway-postgres,gateway-w2
 *          --json FILE   (gateway-w2: the embedded platform with the gateway on 2 worker threads,
 *          off the thread of the services and PGlite; not in the default set)
 * Needs PostgreSQL and NATS (127.0.0.1 defaults, or PORTICO_TEST_POSTGRES_URL / _NATS_URL).
 */
import { writeFile } from 'node:fs/promises';
import type { AnyDeps, ServiceDefinition } from '@portico/kit';
import { kitEvents } from '@portico/kit/runtime';
import type { BusKind, DbKind } from '@portico/kit/testing';
import orders from '../../services/orders/src/service.ts';
import shipping from '../../services/shipping/src/service.ts';
import {
  call,
  f0,
  f1,
  log,
  machine,
  median,
  opt,
  pct,
  ifMatch,
  pool,
  rotate,
  runLoad,
  until,
  type PreparedRequest,
} from '../common.ts';
import { gatewayStack, serviceStack, type Stack } from '../stacks.ts';

const ROUNDS = Number(opt('rounds', '3'));
const ORDERS = Number(opt('orders', '1200'));
const CONCURRENCY = Number(opt('concurrency', '16'));
const LATENCY_ORDERS = Number(opt('latency-orders', '100'));
const ONLY = opt('only', '');
const STACKS = opt('stacks', 'pglite,postgres,gateway,gateway-postgres').split(',');
const JSON_OUT = opt('json', '');
const PRODUCTS = 50;
const CUSTOMERS = 16;
const WARMUP = 100;

/** Two warehouses and PRODUCTS products with ample stock in both. */
async function seedCatalogue(stack: Stack): Promise<string[]> {
  const staff = stack.staffHeaders();
  for (const w of [
    { code: 'NBO', name: 'Nairobi DC', latitude: -1.2921, longitude: 36.8219 },
    { code: 'MBA', name: 'Mombasa DC', latitude: -4.0435, longitude: 39.6682 },
  ]) {
    await call(stack, 'POST', '/api/v1/warehouses', staff, w);
  }
  return pool(Array.from({ length: PRODUCTS }), 4, async (_, i) => {
    // Written against the 2026-12-01 shape (docs/versions.md): named explicitly.
    const p = await call(
      stack,
      'POST',
      '/api/v1/products',
      { ...staff, 'portico-version': '2026-12-01' },
      {
        sku: `BENCH-${i}-${Date.now()}`,
        name: `Bench product ${i}`,
        price: { amount: 1000 + i, currency: 'KES' },
      },
    );
    for (const code of ['NBO', 'MBA'])
      await call(
        stack,
        'PUT',
        `/api/v1/products/${p.id}/stock/${code}`,
        // Stock is set through its product, whose routes require If-Match (lost updates cost money).
        await ifMatch(stack, `/api/v1/products/${p.id}`, staff),
        { quantity: 10_000_000 },
      );
    return p.id as string;
  });
}

/** One cart per order (a cart orders once), each with one product, addresses alternating between two cities. */
async function prepareOrders(
  stack: Stack,
  products: string[],
  n: number,
  offset = 0,
): Promise<PreparedRequest[]> {
  return pool(Array.from({ length: n }), 8, async (_, j) => {
    const i = j + offset;
    const customer = stack.customers[i % stack.customers.length]!;
    const headers = stack.headersFor(customer);
    const cart = await call(stack, 'POST', '/api/v1/carts', headers, {});
    await call(stack, 'POST', `/api/v1/carts/${cart.id}/items`, headers, {
      product_id: products[i % products.length],
      quantity: 1,
    });
    const city = i % 2 ? 'Mombasa' : 'Nairobi';
    return {
      path: '/api/v1/orders',
      headers,
      body: JSON.stringify({
        cart_id: cart.id,
        shipping_address: { name: 'Bench', line1: '1 Road', city, country: 'KE' },
      }),
    };
  });
}

interface ThroughputRun {
  stack: string;
  round: number;
  ordersPerSec: number;
  p50: number;
  p99: number;
  statuses: Record<number, number>;
  lagP50: number;
  lagP99: number;
  drainMs: number;
}

async function throughput(kind: string, round: number): Promise<ThroughputRun> {
  const stack =
    kind === 'pglite'
      ? await serviceStack('pglite', 'memory', [orders, shipping], CUSTOMERS)
      : kind === 'postgres'
        ? await serviceStack('postgres', 'memory', [orders, shipping], CUSTOMERS)
        : kind === 'gateway-w2'
          ? await gatewayStack(CUSTOMERS, 'pglite', { workers: 2 })
          : await gatewayStack(CUSTOMERS, kind === 'gateway-postgres' ? 'postgres' : 'pglite');
  let handled = 0;
  const lags: number[] = [];
  const onConsumed = (m: { service: string; type: string; outcome: string; lagMs: number }) => {
    if (m.service !== 'shipping' || m.type !== 'order.confirmed' || m.outcome !== 'handled') return;
    handled++;
    lags.push(m.lagMs);
  };
  kitEvents.consumed.subscribe(onConsumed);
  try {
    const products = await seedCatalogue(stack);
    const warm = await runLoad(stack.origin, await prepareOrders(stack, products, WARMUP), CONCURRENCY);
    if ((warm.statuses[201] ?? 0) !== WARMUP)
      throw new Error(`warm-up: ${JSON.stringify(warm.statuses)} ${warm.bodies.join(' | ')}`);
    const requests = await prepareOrders(stack, products, ORDERS, WARMUP);
    await until(() => handled >= WARMUP);
    handled = 0;
    lags.length = 0;
    const res = await runLoad(stack.origin, requests, CONCURRENCY);
    const loadEnd = performance.now();
    const ok = res.statuses[201] ?? 0;
    if (ok !== ORDERS)
      throw new Error(`${stack.label}: ${JSON.stringify(res.statuses)} ${res.bodies.join(' | ')}`);
    await until(() => handled >= ok);
    const run: ThroughputRun = {
      stack: stack.label,
      round,
      ordersPerSec: ok / (res.elapsedMs / 1000),
      p50: pct(res.latenciesMs, 50),
      p99: pct(res.latenciesMs, 99),
      statuses: res.statuses,
      lagP50: pct(lags, 50),
      lagP99: pct(lags, 99),
      drainMs: performance.now() - loadEnd,
    };
    log(
      `${run.stack} (round ${round}): ${f0(run.ordersPerSec)} orders/s, p50 ${f1(run.p50)} ms, p99 ${f1(run.p99)} ms, drain ${f0(run.drainMs)} ms`,
    );
    return run;
  } finally {
    kitEvents.consumed.unsubscribe(onConsumed);
    await stack.stop();
  }
}

interface LatencyRun {
  db: DbKind;
  bus: BusKind;
  round: number;
  samplesMs: number[];
}

/**
 * Commit → shipment, one order at a time. The commit time is taken when the order's
 * transaction resolves (a wrapper around `deps.tx`); the shipment time when the kit reports
 * shipping's handler committed (the `portico:kit:event-consumed` channel).
 */
async function commitToShipment(db: DbKind, bus: BusKind, round: number): Promise<LatencyRun> {
  const committedAt = new Map<string, number>();
  const samples: number[] = [];
  let current: string | undefined;
  let waiter: ((orderId: string) => void) | undefined;
  const timedOrders: ServiceDefinition = {
    ...orders,
    routes: (app, deps) =>
      orders.routes(app, {
        ...deps,
        tx: async <T>(fn: Parameters<AnyDeps['tx']>[0]) => {
          const out = (await deps.tx(fn)) as T;
          const o = out as { id?: string; shipping_address?: unknown };
          if (o && typeof o === 'object' && o.id && o.shipping_address)
            committedAt.set(o.id, performance.now());
          return out;
        },
      } as AnyDeps),
  };
  const timedShipping: ServiceDefinition = {
    ...shipping,
    consumers: (shipping.consumers ?? []).map((c) => ({
      ...c,
      handle: async (ev, ctx) => {
        await c.handle(ev, ctx);
        if (ev.type === 'order.confirmed') current = (ev.data as { order_id: string }).order_id;
      },
    })),
  };
  const onConsumed = (m: { service: string; type: string; outcome: string }) => {
    if (m.service !== 'shipping' || m.type !== 'order.confirmed' || m.outcome !== 'handled' || !current)
      return;
    const t0 = committedAt.get(current);
    if (t0 !== undefined) samples.push(performance.now() - t0);
    waiter?.(current);
  };
  kitEvents.consumed.subscribe(onConsumed);
  const stack = await serviceStack(db, bus, [timedOrders, timedShipping], 4);
  try {
    const products = await seedCatalogue(stack);
    const requests = await prepareOrders(stack, products, LATENCY_ORDERS + 10);
    for (const [i, r] of requests.entries()) {
      const shipped = new Promise<string>((resolve) => (waiter = resolve));
      const res = await fetch(stack.origin + r.path, { method: 'POST', headers: r.headers, body: r.body });
      const order = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(order)}`);
      while ((await shipped) !== order.id) await new Promise<string>((resolve) => (waiter = resolve));
      if (i === 9) samples.length = 0; // the first 10 are warm-up
    }
    log(
      `commit → shipment, ${db} + ${bus} (round ${round}): p50 ${f1(pct(samples, 50))} ms, p99 ${f1(pct(samples, 99))} ms (n=${samples.length})`,
    );
    return { db, bus, round, samplesMs: samples };
  } finally {
    kitEvents.consumed.unsubscribe(onConsumed);
    await stack.stop();
  }
}

const results: { throughput: ThroughputRun[]; latency: LatencyRun[] } = { throughput: [], latency: [] };

if (ONLY !== 'latency') {
  for (let r = 0; r < ROUNDS; r++) {
    for (const kind of rotate(['pglite', 'postgres', 'gateway', 'gateway-postgres', 'gateway-w2'], r).filter(
      (k) => STACKS.includes(k),
    ))
      results.throughput.push(await throughput(kind, r + 1));
  }
}
if (ONLY !== 'throughput') {
  const combos: [DbKind, BusKind][] = [
    ['pglite', 'memory'],
    ['pglite', 'nats'],
    ['postgres', 'memory'],
    ['postgres', 'nats'],
  ];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [db, bus] of rotate(combos, r)) results.latency.push(await commitToShipment(db, bus, r + 1));
  }
}

// ── report (markdown on stdout) ─────────────────────────────────────────────────────────────
const lines: string[] = [];
lines.push(`Run: ${new Date().toISOString()} · ${machine()} · rounds ${ROUNDS}`);
if (results.throughput.length) {
  lines.push(
    '',
    `**Orders placed per second** (${ORDERS} orders per run, ${CONCURRENCY} in flight, ${PRODUCTS} products × 2 warehouses, one cart per order)`,
    '',
  );
  lines.push(
    '| round | service level, PGlite | service level, PostgreSQL | PostgreSQL ÷ PGlite | gateway, PGlite | ÷ PGlite service level | gateway, PostgreSQL | ÷ PostgreSQL service level |',
  );
  lines.push('|---|---|---|---|---|---|---|---|');
  const byRound = (r: number, label: string) =>
    results.throughput.find((t) => t.round === r && t.stack.includes(label));
  const ratios: { pg: number[]; gw: number[]; gwpg: number[] } = { pg: [], gw: [], gwpg: [] };
  for (let r = 1; r <= ROUNDS; r++) {
    const a = byRound(r, 'pglite');
    const b = byRound(r, 'postgres');
    const g = byRound(r, 'gateway, PGlite');
    const gp = byRound(r, 'gateway, PostgreSQL');
    if (!a || !b || !g) continue;
    ratios.pg.push(b.ordersPerSec / a.ordersPerSec);
    ratios.gw.push(g.ordersPerSec / a.ordersPerSec);
    if (gp) ratios.gwpg.push(gp.ordersPerSec / b.ordersPerSec);
    lines.push(
      `| ${r} | ${f0(a.ordersPerSec)} | ${f0(b.ordersPerSec)} | ${(b.ordersPerSec / a.ordersPerSec).toFixed(2)} | ${f0(g.ordersPerSec)} | ${(g.ordersPerSec / a.ordersPerSec).toFixed(2)} | ${gp ? f0(gp.ordersPerSec) : '—'} | ${gp ? (gp.ordersPerSec / b.ordersPerSec).toFixed(2) : '—'} |`,
    );
  }
  if (ratios.pg.length)
    lines.push(
      `| median | | | ${median(ratios.pg).toFixed(2)} | | ${median(ratios.gw).toFixed(2)} | | ${ratios.gwpg.length ? median(ratios.gwpg).toFixed(2) : '—'} |`,
    );
  const w2 = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const one = byRound(r, 'gateway, PGlite');
    const two = byRound(r, 'gateway (2 workers), PGlite');
    if (one && two) w2.push(two.ordersPerSec / one.ordersPerSec);
  }
  if (w2.length)
    lines.push(
      '',
      `Gateway on 2 worker threads ÷ on the services' thread (embedded, PGlite), per round: ${w2.map((x) => x.toFixed(2)).join(', ')}; median ${median(w2).toFixed(2)}`,
    );
  lines.push(
    '',
    '| stack | orders/s (median) | POST latency p50 / p99 ms (median of runs) | consumer lag under load p50 / p99 ms | chain drained after load (ms) |',
  );
  lines.push('|---|---|---|---|---|');
  for (const label of [...new Set(results.throughput.map((t) => t.stack))]) {
    const runs = results.throughput.filter((t) => t.stack === label);
    lines.push(
      `| ${label} | ${f0(median(runs.map((x) => x.ordersPerSec)))} | ${f1(median(runs.map((x) => x.p50)))} / ${f1(median(runs.map((x) => x.p99)))} | ${f0(median(runs.map((x) => x.lagP50)))} / ${f0(median(runs.map((x) => x.lagP99)))} | ${f0(median(runs.map((x) => x.drainMs)))} |`,
    );
  }
}
if (results.latency.length) {
  lines.push(
    '',
    `**Order commit → shipment created** (one order at a time, ${LATENCY_ORDERS} per run after 10 warm-up; samples pooled over rounds)`,
    '',
  );
  lines.push('| storage + bus | p50 ms | p99 ms | max ms | per-round p50 |');
  lines.push('|---|---|---|---|---|');
  for (const [db, bus] of [
    ['pglite', 'memory'],
    ['pglite', 'nats'],
    ['postgres', 'memory'],
    ['postgres', 'nats'],
  ] as const) {
    const runs = results.latency.filter((l) => l.db === db && l.bus === bus);
    const all = runs.flatMap((x) => x.samplesMs);
    lines.push(
      `| ${db} + ${bus} | ${f1(pct(all, 50))} | ${f1(pct(all, 99))} | ${f1(Math.max(...all))} | ${runs.map((x) => f1(pct(x.samplesMs, 50))).join(', ')} |`,
    );
  }
}
console.log(lines.join('\n'));
if (JSON_OUT) await writeFile(JSON_OUT, JSON.stringify(results, null, 2));
process.exit(0);
