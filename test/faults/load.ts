/**
 * The client a fault test runs during a fault: users ordering through the gateway, each write
 * sent with an `Idempotency-Key` and retried with the same key until it gets a final answer, as a
 * well-behaved client does. It counts what it sent and what was acknowledged; `verify` then
 * checks that no acknowledged order was lost or duplicated, that each got its shipment and
 * notification, and that no key is stuck (each answers its committed order again).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ifMatchOf, type TestClient } from '@portico/kit/testing';
import type { Session, System } from '../system/harness.ts';

type Res = Awaited<ReturnType<TestClient['post']>>;

export interface Tally {
  requests: number;
  /** Answers that meant "not now": 5xx, 409 idempotency_in_progress, network errors. */
  retried: number;
  /** Not-final answers by status (0: no answer, the connection failed). */
  statuses: Record<number, number>;
  acked: { user: Session; key: string; body: unknown; orderId: string }[];
  failures: string[];
}

export const newTally = (): Tally => ({ requests: 0, retried: 0, statuses: {}, acked: [], failures: [] });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function final(res: Res): boolean {
  if (res.status >= 500 || res.status === 429) return false;
  return !(res.status === 409 && (res.body as { code?: string })?.code === 'idempotency_in_progress');
}

/** POSTs with one key until a final answer (bounded by `deadline`, epoch ms). */
export async function retryingPost(
  tally: Tally,
  client: TestClient,
  path: string,
  body: unknown,
  key: string,
  deadline: number,
): Promise<Res> {
  for (;;) {
    tally.requests++;
    let status = 0;
    try {
      const res = await client.post(path, body, { 'idempotency-key': key });
      if (final(res)) return res;
      status = res.status;
    } catch {
      /* the gateway is unreachable: retry like a client would */
    }
    tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
    tally.retried++;
    if (Date.now() > deadline)
      throw new Error(`no final answer for ${path} (key ${key}) before the deadline`);
    await sleep(200);
  }
}

/** One user placing orders one after another until `until()` says stop. */
export async function orderLoop(
  tally: Tally,
  user: Session,
  productId: string,
  until: () => boolean,
  deadline: number,
): Promise<void> {
  while (!until()) {
    try {
      const cart = await retryingPost(tally, user.client, '/api/v1/carts', {}, randomUUID(), deadline);
      if (cart.status !== 201) throw new Error(`cart: ${cart.status} ${JSON.stringify(cart.body)}`);
      const cartId = (cart.body as { id: string }).id;
      const item = { product_id: productId, quantity: 1 };
      const added = await retryingPost(
        tally,
        user.client,
        `/api/v1/carts/${cartId}/items`,
        item,
        randomUUID(),
        deadline,
      );
      if (added.status >= 300) throw new Error(`item: ${added.status} ${JSON.stringify(added.body)}`);
      const key = randomUUID();
      const body = {
        cart_id: cartId,
        shipping_address: { name: 'Fault Test', line1: '1 Kenyatta Ave', city: 'Nairobi', country: 'KE' },
      };
      const order = await retryingPost(tally, user.client, '/api/v1/orders', body, key, deadline);
      if (order.status !== 201) throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
      tally.acked.push({ user, key, body, orderId: (order.body as { id: string }).id });
    } catch (err) {
      tally.failures.push(String(err));
      return;
    }
  }
}

/** A product with plenty of stock in one warehouse. */
export async function stockedProduct(staff: Session): Promise<string> {
  const code = `F${randomUUID().slice(0, 6).toUpperCase()}`;
  const wh = await staff.client.post('/api/v1/warehouses', {
    code,
    name: 'Fault DC',
    latitude: -1.2921,
    longitude: 36.8219,
  });
  expect(wh.status).toBe(201);
  const product = await staff.client.post('/api/v1/products', {
    sku: `FAULT-${randomUUID().slice(0, 8)}`,
    name: 'Jiko',
    price: { amount: 1000, currency: 'KES' },
  });
  expect(product.status).toBe(201);
  const id = (product.body as { id: string }).id;
  const etag = await ifMatchOf(staff.client, `/api/v1/products/${id}`);
  expect(
    (await staff.client.put(`/api/v1/products/${id}/stock/${code}`, { quantity: 100_000 }, etag)).status,
  ).toBe(200);
  return id;
}

/** Every item of a paginated list (following `next_cursor`). */
async function all<T>(client: TestClient, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const more = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = (await client.get(`${path}?limit=100${more}`)).body as {
      data: T[];
      next_cursor?: string | null;
    };
    out.push(...page.data);
    cursor = page.next_cursor ?? null;
  } while (cursor);
  return out;
}

export interface Verdict {
  lost: number;
  duplicated: number;
  stuck: number;
  withoutShipment: number;
  withoutNotification: number;
}

/** Every acknowledged order exists once, was shipped and notified, and its key answers it again. */
export async function verify(sys: System, staff: Session, tally: Tally): Promise<Verdict> {
  const verdict: Verdict = { lost: 0, duplicated: 0, stuck: 0, withoutShipment: 0, withoutNotification: 0 };
  const users = new Map<string, { user: Session; orders: string[] }>();
  for (const a of tally.acked) {
    const u = users.get(a.user.id) ?? { user: a.user, orders: [] };
    u.orders.push(a.orderId);
    users.set(a.user.id, u);
  }
  for (const { user, orders } of users.values()) {
    const ids = (await all<{ id: string }>(user.client, '/api/v1/orders')).map((o) => o.id);
    verdict.lost += orders.filter((id) => !ids.includes(id)).length;
    verdict.duplicated += Math.max(0, ids.length - new Set(orders).size);
    const notified = await sys
      .eventually(async () => {
        const listed = await all<{ title: string }>(user.client, '/api/v1/notifications');
        const n = listed.filter((x) => x.title === 'Order confirmed');
        return n.length >= orders.length ? n.length : null;
      }, 60_000)
      .catch(() => 0);
    verdict.withoutNotification += Math.max(0, orders.length - notified);
  }
  for (const a of tally.acked) {
    const shipped = await sys
      .eventually(async () => {
        const res = await staff.client.get(`/api/v1/shipments?order_id=${a.orderId}`);
        const n = (res.body as { data: unknown[] }).data.length;
        return n > 0 ? n : null;
      }, 60_000)
      .catch(() => 0);
    if (shipped === 0) verdict.withoutShipment++;
    if (shipped > 1) verdict.duplicated += shipped - 1;
    const again = await a.user.client.post('/api/v1/orders', a.body, { 'idempotency-key': a.key });
    if (again.status !== 201 || (again.body as { id: string }).id !== a.orderId) verdict.stuck++;
  }
  return verdict;
}
