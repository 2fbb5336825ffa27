/**
 * At-least-once across a crash. The outbox row is written in the order's transaction; if the
 * process dies before the relay has published it, the next start publishes it. If it dies
 * after publishing but before marking the row, the event goes out twice and shipping's inbox
 * (plus its unique order_id) turns the copy into nothing. "The relay has not run" is made
 * deterministic by starting orders on a bus that refuses every publish.
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus, EventEnvelope } from '@portico/kit';
import { createLogger, startService } from '@portico/kit/runtime';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '@portico/kit/testing';
import orders from '../../services/orders/src/service.ts';
import shipping from '../../services/shipping/src/service.ts';
import {
  address,
  cartWith,
  clients,
  NAIROBI,
  seedProduct,
  seedWarehouses,
  uid,
} from '../../services/orders/test/fixtures.ts';

const skip = await matrixUnavailable();

/** The real bus, except that publishing fails: before sending ('down') or after ('ack-lost'). */
function failingBus(real: EventBus, mode: 'down' | 'ack-lost') {
  const attempts: string[] = [];
  const bus: EventBus = {
    kind: real.kind,
    async publish(event: EventEnvelope) {
      attempts.push(event.type);
      if (mode === 'ack-lost') await real.publish(event);
      throw new Error(`bus ${mode} (test)`);
    },
    subscribe: (spec, handler, dl) => real.subscribe(spec, handler, dl),
    broadcast: (ch, p) => real.broadcast(ch, p),
    onBroadcast: (ch, l) => real.onBroadcast(ch, l),
    isReady: () => true,
    close: async () => {},
  };
  return { bus, attempts };
}

describe.skipIf(skip)(`no event is lost when orders dies after a commit (${matrixLabel})`, () => {
  let env: TestServices;
  // Clients are bound to a service's URL: make them after each restart.
  const c = {
    get staff() {
      return clients(env).staff;
    },
    customer: () => clients(env).customer(),
  };
  const staffShipping = () => env.as('shipping', userCaller(uid('staff'), ['staff']));
  const shipmentsOf = async (orderId: string) =>
    (await staffShipping().get(`/api/v1/shipments?order_id=${orderId}`)).body.data as unknown[];

  beforeAll(async () => {
    env = await startTestServices([orders, shipping]);
    await seedWarehouses(c.staff, NAIROBI);
  });
  afterAll(() => env?.stop());

  /** Replaces the running orders with one on `bus` (same database, same passport secret). */
  async function restartOrdersOn(bus: EventBus) {
    await env.services.get('orders')!.stop();
    const svc = await startService(orders, {
      db: env.db,
      bus,
      passportSecret: env.secret,
      logger: createLogger({ level: process.env.PORTICO_TEST_LOG ?? 'silent' }),
      urlOf: (name) => env.services.get(name)?.url,
      dataDir: path.join(os.tmpdir(), uid('portico-orders')),
    });
    env.services.set('orders', svc);
    return svc;
  }

  async function order() {
    const p = await seedProduct(c.staff, { NBO: 5 });
    const customer = c.customer();
    const res = await customer.post('/api/v1/orders', {
      cart_id: await cartWith(customer, [{ product_id: p.id, quantity: 1 }]),
      shipping_address: address('Nairobi'),
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }

  const pendingOutbox = async () =>
    (
      await env.services
        .get('orders')!
        .deps.db.selectFrom('kit_outbox')
        .select('type')
        .where('published_at', 'is', null)
        .execute()
    ).map((r: { type: string }) => r.type);

  it('relays an order committed while the bus was unreachable after a restart, creating its shipment once', async () => {
    const { bus, attempts } = failingBus(env.bus, 'down');
    await restartOrdersOn(bus);
    const placed = await order();
    // The relay tried (and failed) at least once: the event exists only in the outbox.
    await env.eventually(async () => attempts.length > 0);
    expect(await pendingOutbox()).toContain('order.confirmed');
    expect(await shipmentsOf(placed.id)).toEqual([]);

    // The process goes away with the row unsent (its shutdown flush fails too) …
    await env.services.get('orders')!.stop();
    expect(await shipmentsOf(placed.id)).toEqual([]);
    // … and the next start relays it.
    await env.restart('orders');
    await env.eventually(async () => (await shipmentsOf(placed.id)).length > 0);
    await env.services.get('orders')!.flushOutbox();
    await env.services.get('shipping')!.flushOutbox();
    expect(await shipmentsOf(placed.id)).toHaveLength(1);
    expect(await pendingOutbox()).toEqual([]);
  });

  it('turns the copies of an event published but not marked before a crash into one shipment', async () => {
    const { bus, attempts } = failingBus(env.bus, 'ack-lost');
    await restartOrdersOn(bus);
    const placed = await order();
    // Published, never marked: the relay re-sends it on every poll.
    await env.eventually(async () => attempts.filter((t) => t === 'order.confirmed').length >= 2, 15_000);
    await env.eventually(async () => (await shipmentsOf(placed.id)).length > 0);
    expect(await pendingOutbox()).toContain('order.confirmed');

    await env.restart('orders');
    await env.services.get('orders')!.flushOutbox();
    await env.services.get('shipping')!.flushOutbox();
    expect(await pendingOutbox()).toEqual([]);
    expect(await shipmentsOf(placed.id)).toHaveLength(1);
    const created = await env.services
      .get('shipping')!
      .deps.db.selectFrom('kit_outbox')
      .select('event')
      .where('type', '=', 'shipment.created')
      .execute();
    const forOrder = created
      .map((r: { event: unknown }) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event))
      .filter((e: { data: { order_id: string } }) => e.data.order_id === placed.id);
    expect(forOrder).toHaveLength(1);
  });
});
