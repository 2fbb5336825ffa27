/**
 * A process killed (SIGKILL) right after an order commits, before its outbox relay could send
 * the event, loses nothing: after a restart the shipment and the notification appear, once each.
 * Distributed mode only (a real orders process on PostgreSQL and NATS). To make "before the
 * relay could send" certain rather than lucky, orders reaches NATS through a TCP proxy that the
 * test stalls just before the order is placed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_URL, ifMatchOf } from '@portico/kit/testing';
import { stallableProxy } from './nats-proxy.ts';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip =
  systemMode === 'distributed' ? await systemUnavailable() : 'process-kill recovery runs in distributed mode';

describe.skipIf(skip)('crash between commit and relay (distributed)', () => {
  let sys: System;
  let proxy: Awaited<ReturnType<typeof stallableProxy>>;
  let staff: Session;
  let alice: Session;

  beforeAll(async () => {
    proxy = await stallableProxy(new URL(NATS_URL));
    sys = await startSystem({
      services: ['identity', 'orders', 'shipping', 'notifications'],
      partEnv: { orders: { NATS_URL: proxy.url } },
    });
    staff = await sys.grantRoles(await sys.signUp(), ['staff']);
    alice = await sys.signUp();
  }, 180_000);
  afterAll(async () => {
    await sys?.stop();
    proxy?.close();
  });

  it('relays the committed order after orders is killed and restarted: one shipment, one notification', async () => {
    await staff.client.post('/api/v1/warehouses', {
      code: 'NBO',
      name: 'Nairobi DC',
      latitude: -1.2921,
      longitude: 36.8219,
    });
    const product = await staff.client.post('/api/v1/products', {
      sku: `CRASH-${randomBytes(4).toString('hex')}`,
      name: 'Jiko',
      price: { amount: 150000, currency: 'KES' },
    });
    expect(product.status).toBe(201);
    expect(
      (
        await staff.client.put(
          `/api/v1/products/${product.body.id}/stock/NBO`,
          { quantity: 3 },
          await ifMatchOf(staff.client, `/api/v1/products/${product.body.id}`),
        )
      ).status,
    ).toBe(200);
    const cart = await alice.client.post('/api/v1/carts', {});
    await alice.client.post(`/api/v1/carts/${cart.body.id}/items`, {
      product_id: product.body.id,
      quantity: 1,
    });

    proxy.stall(); // from here, orders' publishes reach no one
    const order = await alice.client.post('/api/v1/orders', {
      cart_id: cart.body.id,
      shipping_address: { name: 'Alice', line1: '1 Kenyatta Ave', city: 'Nairobi', country: 'KE' },
    });
    expect(order.status).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
    const before = await staff.client.get(`/api/v1/shipments?order_id=${order.body.id}`);
    expect(before.body.data).toHaveLength(0);

    // SIGKILL: no graceful flush. The restarted process talks to NATS directly.
    await sys.crashAndRestart('orders');

    const shipments = await sys.eventually(async () => {
      const res = await staff.client.get(`/api/v1/shipments?order_id=${order.body.id}`);
      return res.body.data?.length ? res.body.data : null;
    }, 30_000);
    expect(shipments).toHaveLength(1);
    const confirmed = await sys.eventually(async () => {
      const res = await alice.client.get('/api/v1/notifications?limit=100');
      const mine = (res.body.data as { body: string; title: string }[]).filter((n) =>
        /confirmed/i.test(n.title),
      );
      return mine.length ? mine : null;
    });
    // Give any duplicate delivery time to show up, then count again.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await staff.client.get(`/api/v1/shipments?order_id=${order.body.id}`)).body.data).toHaveLength(1);
    const after = (await alice.client.get('/api/v1/notifications?limit=100')).body.data as {
      title: string;
    }[];
    expect(after.filter((n) => /confirmed/i.test(n.title))).toHaveLength(confirmed.length);
    expect(confirmed).toHaveLength(1);
  });
});
