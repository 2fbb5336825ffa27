import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import type { OrderConfirmedData } from '@portico/contracts';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '@portico/kit/testing';
import { randomBytes } from 'node:crypto';
import shipping from '../src/service.ts';

const skip = await matrixUnavailable();
const uid = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;

function confirmed(customerId = uid('cust'), orderId = uid('order')): OrderConfirmedData {
  return {
    order_id: orderId,
    customer_id: customerId,
    warehouse: { code: 'MBA', name: 'Mombasa DC', latitude: -4.0435, longitude: 39.6682 },
    items: [{ product_id: 'p1', sku: 'KIKOY-1', name: 'Kikoy', quantity: 2, unit_price: 150000 }],
    total: 300000,
    currency: 'KES',
    shipping_address: { name: 'Achieng', line1: '1 Nyali Rd', city: 'Mombasa', country: 'KE' },
  };
}

describe.skipIf(skip)(`shipping (${matrixLabel})`, () => {
  let env: TestServices;
  const staff = () => env.as('shipping', userCaller(uid('staff'), ['staff']));
  const customer = (id: string) => env.as('shipping', userCaller(id, ['user']));
  const publish = (type: string, data: unknown, subject: string) =>
    env.bus.publish(makeEvent('orders', type, data, { subject }));
  const shipmentsOf = async (orderId: string) =>
    (await staff().get(`/api/v1/shipments?order_id=${orderId}`)).body.data as any[];
  const shipmentFor = (orderId: string) => env.eventually(async () => (await shipmentsOf(orderId))[0]);
  const outbox = async (type: string) => {
    const rows = await env.services
      .get('shipping')!
      .deps.db.selectFrom('kit_outbox')
      .select('event')
      .where('type', '=', type)
      .execute();
    return rows.map((r: { event: unknown }) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event));
  };

  beforeAll(async () => {
    env = await startTestServices([shipping]);
  });
  afterAll(() => env?.stop());

  it('creates a pending shipment with a PT tracking number for a confirmed order, and publishes shipment.created', async () => {
    const order = confirmed();
    await publish('order.confirmed', order, order.order_id);
    const s = await shipmentFor(order.order_id);
    expect(s).toMatchObject({
      order_id: order.order_id,
      customer_id: order.customer_id,
      status: 'pending',
      carrier: null,
      origin: order.warehouse,
      destination: {
        name: 'Achieng',
        line1: '1 Nyali Rd',
        city: 'Mombasa',
        country: 'KE',
        postal_code: null,
        latitude: null,
        longitude: null,
      },
      items: [{ product_id: 'p1', sku: 'KIKOY-1', name: 'Kikoy', quantity: 2 }],
    });
    expect(s.tracking_number).toMatch(/^PT[0-9A-Z]{10}$/);
    const created = (await outbox('shipment.created')).find((e) => e.data.order_id === order.order_id);
    expect(created).toMatchObject({
      source: 'shipping',
      subject: s.id,
      data: {
        shipment_id: s.id,
        order_id: order.order_id,
        customer_id: order.customer_id,
        status: 'pending',
        tracking_number: s.tracking_number,
        carrier: null,
      },
    });
  });

  it('creates one shipment when the same event is delivered twice, and when the order is re-published under a new event id', async () => {
    const order = confirmed();
    const ev = makeEvent('orders', 'order.confirmed', order, { subject: order.order_id });
    await env.bus.publish(ev);
    await env.bus.publish(ev);
    await publish('order.confirmed', order, order.order_id);
    await shipmentFor(order.order_id);
    await env.services.get('shipping')!.flushOutbox();
    expect(await shipmentsOf(order.order_id)).toHaveLength(1);
    expect((await outbox('shipment.created')).filter((e) => e.data.order_id === order.order_id)).toHaveLength(
      1,
    );
  });

  it('cancels a pending shipment when its order is cancelled, and publishes shipment.cancelled', async () => {
    const order = confirmed();
    await publish('order.confirmed', order, order.order_id);
    const s = await shipmentFor(order.order_id);
    await publish(
      'order.cancelled',
      { order_id: order.order_id, customer_id: order.customer_id, status: 'cancelled' },
      order.order_id,
    );
    const cancelled = await env.eventually(async () => {
      const r = await staff().get(`/api/v1/shipments/${s.id}`);
      return r.body.status === 'cancelled' && r.body;
    });
    expect(cancelled.cancelled_at).toEqual(expect.any(String));
    expect((await outbox('shipment.cancelled')).find((e) => e.data.shipment_id === s.id)?.data).toMatchObject(
      { status: 'cancelled', order_id: order.order_id },
    );
    expect((await staff().post(`/api/v1/shipments/${s.id}/dispatch`)).status).toBe(409);
  });

  it('remembers an order cancelled before its confirmation arrived, and creates no shipment for it', async () => {
    const order = confirmed();
    await publish(
      'order.cancelled',
      { order_id: order.order_id, customer_id: order.customer_id, status: 'cancelled' },
      order.order_id,
    );
    await publish('order.confirmed', order, order.order_id);
    // The marker event below is handled after the two above (one consumer, in order).
    const marker = confirmed();
    await publish('order.confirmed', marker, marker.order_id);
    await shipmentFor(marker.order_id);
    expect(await shipmentsOf(order.order_id)).toEqual([]);
  });

  it('lets staff dispatch (with a carrier) and deliver, recording each step in the tracking history', async () => {
    const order = confirmed();
    await publish('order.confirmed', order, order.order_id);
    const s = await shipmentFor(order.order_id);
    const dispatched = await staff().post(`/api/v1/shipments/${s.id}/dispatch`, { carrier: 'G4S Courier' });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body).toMatchObject({
      status: 'in_transit',
      carrier: 'G4S Courier',
      dispatched_at: expect.any(String),
    });
    const delivered = await staff().post(`/api/v1/shipments/${s.id}/deliver`);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ status: 'delivered', delivered_at: expect.any(String) });
    const tracking = await customer(order.customer_id).get(`/api/v1/shipments/${s.id}/tracking`);
    expect(tracking.status).toBe(200);
    expect(tracking.body).toMatchObject({
      shipment_id: s.id,
      tracking_number: s.tracking_number,
      status: 'delivered',
      carrier: 'G4S Courier',
    });
    expect(tracking.body.history.map((h: { status: string }) => h.status)).toEqual([
      'pending',
      'in_transit',
      'delivered',
    ]);
    const times = tracking.body.history.map((h: { at: string }) => Date.parse(h.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(tracking.body.history.every((h: { at: string }) => new Date(h.at).toISOString() === h.at)).toBe(
      true,
    );
    const events = [...(await outbox('shipment.dispatched')), ...(await outbox('shipment.delivered'))].filter(
      (e) => e.data.shipment_id === s.id,
    );
    expect(events.map((e) => [e.type, e.data.status, e.data.carrier])).toEqual([
      ['shipment.dispatched', 'in_transit', 'G4S Courier'],
      ['shipment.delivered', 'delivered', 'G4S Courier'],
    ]);
  });

  it('refuses moves the state machine does not allow (409 invalid_state) and leaves a dispatched shipment alone on order.cancelled', async () => {
    const order = confirmed();
    await publish('order.confirmed', order, order.order_id);
    const s = await shipmentFor(order.order_id);
    const early = await staff().post(`/api/v1/shipments/${s.id}/deliver`, {});
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'invalid_state', current_status: 'pending' });
    expect((await staff().post(`/api/v1/shipments/${s.id}/dispatch`)).status).toBe(200);
    expect((await staff().post(`/api/v1/shipments/${s.id}/dispatch`)).body.code).toBe('invalid_state');
    await publish(
      'order.cancelled',
      { order_id: order.order_id, customer_id: order.customer_id, status: 'cancelled' },
      order.order_id,
    );
    expect((await staff().get(`/api/v1/shipments/${s.id}`)).body.status).toBe('in_transit');
  });

  it('refuses customers dispatching or delivering (403), even their own shipment', async () => {
    const order = confirmed();
    await publish('order.confirmed', order, order.order_id);
    const s = await shipmentFor(order.order_id);
    const own = customer(order.customer_id);
    const res = await own.post(`/api/v1/shipments/${s.id}/dispatch`, { carrier: 'me' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    expect((await own.post(`/api/v1/shipments/${s.id}/deliver`)).status).toBe(403);
    expect((await own.get(`/api/v1/shipments/${s.id}`)).body.status).toBe('pending');
  });

  it('shows customers only their own shipments (others → 404) and staff all of them, with filters', async () => {
    const aliceId = uid('alice');
    const a = confirmed(aliceId);
    await publish('order.confirmed', a, a.order_id);
    const s = await shipmentFor(a.order_id);
    const alice = customer(aliceId);
    const bob = customer(uid('bob'));
    expect((await alice.get(`/api/v1/shipments/${s.id}`)).status).toBe(200);
    expect((await bob.get(`/api/v1/shipments/${s.id}`)).status).toBe(404);
    expect((await bob.get(`/api/v1/shipments/${s.id}/tracking`)).status).toBe(404);
    expect((await bob.get(`/api/v1/shipments?order_id=${a.order_id}`)).body.data).toEqual([]);
    expect((await alice.get('/api/v1/shipments')).body.data.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect(
      (await staff().get(`/api/v1/shipments?customer_id=${aliceId}&status=pending`)).body.data,
    ).toHaveLength(1);
    expect(
      (
        await staff().get(`/api/v1/shipments?tracking_number=${s.tracking_number.toLowerCase()}`)
      ).body.data.map((x: { id: string }) => x.id),
    ).toEqual([s.id]);
    expect((await staff().get('/api/v1/shipments?status=lost')).status).toBe(422);
    expect((await staff().get('/api/v1/shipments/nope')).status).toBe(404);
  });

  it('lists the shipments of many orders in one call, with their tracking when asked, own only', async () => {
    const aliceId = uid('alice');
    const orders = [confirmed(aliceId), confirmed(aliceId), confirmed(uid('carol'))];
    for (const o of orders) await publish('order.confirmed', o, o.order_id);
    const shipments = await Promise.all(orders.map((o) => shipmentFor(o.order_id)));
    expect((await staff().post(`/api/v1/shipments/${shipments[0].id}/dispatch`, {})).status).toBe(200);
    const q = orders.map((o) => `order_id=${o.order_id}`).join('&');
    const alice = customer(aliceId);
    const res = await alice.get(`/api/v1/shipments?${q}&include=tracking`);
    expect(res.status).toBe(200);
    // Carol's shipment is not Alice's to see, even when named.
    const byOrder = new Map((res.body.data as any[]).map((s) => [s.order_id, s]));
    expect([...byOrder.keys()].sort()).toEqual([orders[0]!.order_id, orders[1]!.order_id].sort());
    const tracking = (await alice.get(`/api/v1/shipments/${shipments[0].id}/tracking`)).body;
    expect(byOrder.get(orders[0]!.order_id).tracking).toEqual(tracking.history);
    expect(byOrder.get(orders[0]!.order_id).tracking.map((t: { status: string }) => t.status)).toEqual([
      'pending',
      'in_transit',
    ]);
    // Without include, no tracking; one order_id still works as before.
    const plain = await alice.get(`/api/v1/shipments?order_id=${orders[1]!.order_id}`);
    expect(plain.body.data).toHaveLength(1);
    expect(plain.body.data[0].tracking).toBeUndefined();

    const tooMany = Array.from({ length: 101 }, (_, i) => `order_id=o${i}`).join('&');
    const refused = await alice.get(`/api/v1/shipments?${tooMany}`);
    expect(refused.status).toBe(422);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toContain('order_id');
    const badInclude = await alice.get(`/api/v1/shipments?include=everything`);
    expect(badInclude.status).toBe(422);
    expect(badInclude.body.errors.map((e: { field: string }) => e.field)).toContain('include');
  });

  it('validates the dispatch body (unknown fields → 422)', async () => {
    const order = confirmed();
    await publish('order.confirmed', order, order.order_id);
    const s = await shipmentFor(order.order_id);
    const res = await staff().post(`/api/v1/shipments/${s.id}/dispatch`, {
      carrier: 'DHL',
      priority: 'high',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'priority', code: 'unknown_field' })]);
  });
});
