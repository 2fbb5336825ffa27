/**
 * The GraphQL row of the gateway benchmark: `npx node bench/gateway/graphql.ts [--requests N]
 * [--concurrency C] [--no-write]`. The embedded platform (identity, orders, shipping on PGlite,
 * the gateway on the services' thread as `portico dev` runs it); one customer with 20 orders, each
 * with its shipment (two dispatched, so with a longer tracking history). Then, closed loop from a
 * worker thread, the orders query of docs/graphql.md (20 orders with items, shipment and
 * tracking) and, for reference, the REST list of the same 20 orders alone (one upstream call, no
 * shipments). Upstream calls per query are counted by the services' own metrics
 * (`portico_http_request_duration_seconds_count` on their /api routes) over the whole run, and
 * checked against the `extensions.upstream_calls` each answer reports. The REST way to the same
 * data is 41 requests (the list, then a shipment and a tracking call per order).
 *
 * Bounded: 400 requests per row by default (about 25 s for the GraphQL row here, 16 queries/s). Writes its table between the graphql-results
 * markers of docs/benchmarks.md unless --no-write.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { call, f0, f1, flag, ifMatch, log, machine, opt, pct, runLoad } from '../common.ts';
import { gatewayStack, type Stack } from '../stacks.ts';

const REQUESTS = Number(opt('requests', '400'));
const CONCURRENCY = Number(opt('concurrency', '8'));
const ORDERS = 20;

const QUERY = `query Orders($first: Int!) {
  viewer { orders(first: $first) {
    id status total { amount currency } items { sku quantity unit_price { amount currency } }
    shipment { id status tracking_number tracking { status history { status at } } }
  } }
}`;

async function apiRequests(stack: Stack): Promise<number> {
  let total = 0;
  for (const service of ['identity', 'orders', 'shipping']) {
    const text = await (await fetch(`${stack.services.get(service)!.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('portico_http_request_duration_seconds_count{')) continue;
      if (!line.includes(`service="${service}"`) || !line.includes('route="/api/')) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

async function seed(stack: Stack): Promise<Record<string, string>> {
  const staff = stack.staffHeaders();
  await fetch(`${stack.origin}/api/v1/warehouses`, {
    method: 'POST',
    headers: staff,
    body: JSON.stringify({ code: 'MBA', name: 'Mombasa DC', latitude: -4.0435, longitude: 39.6682 }),
  });
  const product = await call(stack, 'POST', '/api/v1/products', staff, {
    sku: `GQL-BENCH-${Date.now()}`,
    name: 'Kikoy',
    price: { amount: 120000, currency: 'KES' },
  });
  await call(
    stack,
    'PUT',
    `/api/v1/products/${product.id}/stock/MBA`,
    await ifMatch(stack, `/api/v1/products/${product.id}`, staff),
    { quantity: 1000 },
  );
  const customer = stack.customers[0]!;
  const headers = stack.headersFor(customer);
  for (let i = 0; i < ORDERS; i++) {
    const cart = await call(stack, 'POST', '/api/v1/carts', headers, {});
    await call(stack, 'POST', `/api/v1/carts/${cart.id}/items`, headers, {
      product_id: product.id,
      quantity: 1,
    });
    await call(stack, 'POST', '/api/v1/orders', headers, {
      cart_id: cart.id,
      shipping_address: { name: 'Bench', line1: '1 Road', city: 'Mombasa', country: 'KE' },
    });
  }
  let shipments: { id: string }[] = [];
  const poll = async () => {
    shipments = (await call(stack, 'GET', '/api/v1/shipments?limit=100', headers)).data;
  };
  await poll();
  const started = Date.now();
  while (shipments.length < ORDERS) {
    if (Date.now() - started > 60_000) throw new Error('shipments were not created');
    await new Promise((r) => setTimeout(r, 100));
    await poll();
  }
  for (const s of shipments.slice(0, 2))
    await call(stack, 'POST', `/api/v1/shipments/${s.id}/dispatch`, staff, { carrier: 'G4S' });
  return headers;
}

interface Row {
  name: string;
  perSec: number;
  p50: number;
  p99: number;
  upstreamPerRequest: number;
  errors: number;
}

async function measure(
  stack: Stack,
  name: string,
  request: { method: 'GET' | 'POST'; path: string; body: string },
  headers: Record<string, string>,
): Promise<Row> {
  const requests = Array.from({ length: REQUESTS }, () => ({ ...request, headers }));
  await runLoad(stack.origin, requests.slice(0, 100), CONCURRENCY); // warm-up
  const before = await apiRequests(stack);
  const res = await runLoad(stack.origin, requests, CONCURRENCY);
  const after = await apiRequests(stack);
  const ok = res.statuses[200] ?? 0;
  if (ok !== REQUESTS) log(name, JSON.stringify(res.statuses), res.bodies.join(' | '));
  return {
    name,
    perSec: (ok / res.elapsedMs) * 1000,
    p50: pct(res.latenciesMs, 50),
    p99: pct(res.latenciesMs, 99),
    upstreamPerRequest: (after - before) / REQUESTS,
    errors: REQUESTS - ok,
  };
}

const stack = await gatewayStack(1);
try {
  log('seeding 20 orders with shipments');
  const headers = await seed(stack);
  const body = JSON.stringify({ query: QUERY, variables: { first: ORDERS } });
  // One answer checked: 20 orders, each with its shipment and tracking, and the calls it reports.
  const one = await call(stack, 'POST', '/graphql', headers, JSON.parse(body));
  const orders = one.data.viewer.orders as { shipment: { tracking: unknown } | null }[];
  if (orders.length !== ORDERS || orders.some((o) => !o.shipment?.tracking))
    throw new Error(`unexpected answer: ${JSON.stringify(one).slice(0, 300)}`);
  log(`one query: cost ${one.extensions.cost}, upstream calls ${one.extensions.upstream_calls}`);
  const rows = [
    await measure(
      stack,
      `GraphQL: ${ORDERS} orders + items + shipment + tracking (POST /graphql)`,
      { method: 'POST', path: '/graphql', body },
      headers,
    ),
    await measure(
      stack,
      `REST reference: GET /api/v1/orders?limit=${ORDERS} alone (no shipments)`,
      { method: 'GET', path: `/api/v1/orders?limit=${ORDERS}`, body: '' },
      headers,
    ),
  ];
  const table = [
    `Measured by \`npx node bench/gateway/graphql.ts\` on ${new Date().toISOString().slice(0, 10)}, ${machine()}; embedded platform (identity, orders, shipping on PGlite, gateway on the same thread), ${REQUESTS} requests per row, ${CONCURRENCY} in flight, closed loop from a worker thread; the machine is shared with other work.`,
    '',
    "| Row | requests/s | p50 ms | p99 ms | upstream calls per request (services' metrics) | errors |",
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${f0(r.perSec)} | ${f1(r.p50)} | ${f1(r.p99)} | ${r.upstreamPerRequest.toFixed(2)} | ${r.errors} |`,
    ),
    '',
    `One query reports \`extensions.cost\` ${one.extensions.cost} (what the rate limits count) and \`upstream_calls\` ${one.extensions.upstream_calls}; the same data over REST is ${1 + 2 * ORDERS} requests.`,
  ].join('\n');
  console.log(table);
  if (!flag('no-write')) {
    const file = path.join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md');
    const doc = await readFile(file, 'utf8');
    const begin = '<!-- graphql-results:begin (written by bench/gateway/graphql.ts) -->';
    const end = '<!-- graphql-results:end -->';
    const a = doc.indexOf(begin);
    const b = doc.indexOf(end);
    if (a >= 0 && b > a)
      await writeFile(file, `${doc.slice(0, a + begin.length)}\n${table}\n${doc.slice(b)}`);
    else log('docs/benchmarks.md has no graphql-results markers: not written');
  }
} finally {
  await stack.stop();
}
