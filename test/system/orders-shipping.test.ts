/**
 * The e-commerce chain end to end, through the gateway: identity issues the tokens, orders
 * reserves stock and publishes order.confirmed through its outbox, shipping creates the
 * shipment, staff dispatch and deliver it, orders follows the shipment's events, and
 * notifications tells the customer at each step.
 */
import { ifMatchOf } from '@portico/kit/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

interface Notification {
  type?: string;
  title: string;
  body: string;
}

const address = (city: string) => ({ name: 'Wanjiku Kamau', line1: '12 Moi Avenue', city, country: 'KE' });
const sku = () => `SYS-${randomBytes(5).toString('hex')}`;

describe.skipIf(skip)(`orders, shipping and notifications through the gateway (${systemMode})`, () => {
  let sys: System;
  let staff: Session;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'orders', 'shipping', 'notifications'] });
    staff = await sys.grantRoles(await sys.signUp(), ['staff']);
    [alice, bob] = await Promise.all([sys.signUp(), sys.signUp()]);
    for (const w of [
      { code: 'NBO', name: 'Nairobi DC', latitude: -1.2921, longitude: 36.8219 },
      { code: 'MBA', name: 'Mombasa DC', latitude: -4.0435, longitude: 39.6682 },
    ]) {
      const res = await staff.client.post('/api/v1/warehouses', w);
      expect([201, 409]).toContain(res.status);
    }
  }, 180_000);
  afterAll(() => sys?.stop());

  async function product(stock: Record<string, number>, price = 250000) {
    const res = await staff.client.post('/api/v1/products', {
      sku: sku(),
      name: 'Kiondo basket',
      price: { amount: price, currency: 'KES' },
    });
    expect(res.status).toBe(201);
    for (const [code, quantity] of Object.entries(stock)) {
      expect(
        (
          await staff.client.put(
            `/api/v1/products/${res.body.id}/stock/${code}`,
            { quantity },
            await ifMatchOf(staff.client, `/api/v1/products/${res.body.id}`),
          )
        ).status,
      ).toBe(200);
    }
    return res.body as { id: string; sku: string };
  }

  async function cart(who: Session, productId: string, quantity = 1) {
    const c = await who.client.post('/api/v1/carts', {});
    expect(c.status).toBe(201);
    expect(
      (await who.client.post(`/api/v1/carts/${c.body.id}/items`, { product_id: productId, quantity })).status,
    ).toBe(201);
    return c.body.id as string;
  }

  const notificationsOf = async (who: Session): Promise<Notification[]> => {
    const res = await who.client.get('/api/v1/notifications?limit=100');
    expect(res.status).toBe(200);
    return res.body.data as Notification[];
  };
  const notified = (who: Session, type: string, title: RegExp, orderId: string) =>
    sys.eventually(async () =>
      (await notificationsOf(who)).find(
        (n) => (n.type === type || title.test(n.title)) && n.body.includes(orderId.slice(-8)),
      ),
    );

  it('takes an order from cart to delivery, with a shipment and a notification at each step', async () => {
    const p = await product({ MBA: 5 });
    const cartId = await cart(alice, p.id, 2);
    const body = { cart_id: cartId, shipping_address: address('Mombasa') };
    const key = { 'idempotency-key': `order-${randomBytes(6).toString('hex')}` };

    const placed = await alice.client.post('/api/v1/orders', body, key);
    expect(placed.status).toBe(201);
    expect(placed.headers.get('location')).toBe(`/api/v1/orders/${placed.body.id}`);
    expect(placed.body).toMatchObject({
      customer_id: alice.id,
      status: 'confirmed',
      total: { amount: 500000, currency: 'KES' },
      warehouse: { code: 'MBA' },
      items: [
        {
          product_id: p.id,
          sku: p.sku,
          name: 'Kiondo basket',
          quantity: 2,
          unit_price: { amount: 250000, currency: 'KES' },
        },
      ],
      shipping_address: { city: 'Mombasa', country: 'KE' },
    });
    const order = placed.body as { id: string };

    // A retry with the same key replays the same order; another body under that key is refused.
    const replay = await alice.client.post('/api/v1/orders', body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(order.id);
    expect(
      (await alice.client.post('/api/v1/orders', { ...body, shipping_address: address('Nairobi') }, key))
        .status,
    ).toBe(422);
    // Without the key, the cart has been ordered already.
    expect((await alice.client.post('/api/v1/orders', body)).status).toBe(409);

    // shipping created the shipment from order.confirmed …
    const shipment = await sys.eventually(
      async () => (await alice.client.get(`/api/v1/shipments?order_id=${order.id}`)).body.data?.[0],
    );
    expect(shipment).toMatchObject({
      order_id: order.id,
      customer_id: alice.id,
      status: 'pending',
      origin: { code: 'MBA' },
    });
    expect(shipment.tracking_number).toMatch(/^PT[0-9A-Z]{10}$/);
    // … and notifications told alice her order is confirmed.
    await notified(alice, 'order.confirmed', /order confirmed/i, order.id);

    // Others see neither the order nor the shipment; a customer cannot dispatch.
    expect((await bob.client.get(`/api/v1/orders/${order.id}`)).status).toBe(404);
    expect((await bob.client.get(`/api/v1/shipments/${shipment.id}`)).status).toBe(404);
    expect((await bob.client.post(`/api/v1/orders/${order.id}/cancel`)).status).toBe(404);
    expect((await alice.client.post(`/api/v1/shipments/${shipment.id}/dispatch`, {})).status).toBe(403);

    const dispatched = await staff.client.post(`/api/v1/shipments/${shipment.id}/dispatch`, {
      carrier: 'G4S Courier',
    });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body).toMatchObject({ status: 'in_transit', carrier: 'G4S Courier' });
    await sys.eventually(
      async () => (await alice.client.get(`/api/v1/orders/${order.id}`)).body.status === 'shipped',
    );
    await notified(alice, 'shipment.dispatched', /on its way/i, order.id);
    // Once shipped, the order can no longer be cancelled.
    const late = await alice.client.post(`/api/v1/orders/${order.id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('invalid_state');

    expect((await staff.client.post(`/api/v1/shipments/${shipment.id}/deliver`)).status).toBe(200);
    const delivered = await sys.eventually(async () => {
      const o = (await alice.client.get(`/api/v1/orders/${order.id}`)).body;
      return o.status === 'delivered' && o;
    });
    expect(delivered).toMatchObject({
      tracking_number: shipment.tracking_number,
      delivered_at: expect.any(String),
    });
    await notified(alice, 'shipment.delivered', /delivered/i, order.id);

    const tracking = await alice.client.get(`/api/v1/shipments/${shipment.id}/tracking`);
    expect(tracking.status).toBe(200);
    expect(tracking.body.history.map((h: { status: string }) => h.status)).toEqual([
      'pending',
      'in_transit',
      'delivered',
    ]);
    const stock = await staff.client.get(`/api/v1/products/${p.id}/stock`);
    expect(stock.body.data).toEqual([
      expect.objectContaining({ warehouse: 'MBA', quantity: 3, reserved: 0, available: 3 }),
    ]);
  });

  it('cancels a confirmed order: stock comes back, the shipment is cancelled, the customer is told', async () => {
    const p = await product({ NBO: 1 });
    const order = (
      await alice.client.post('/api/v1/orders', {
        cart_id: await cart(alice, p.id),
        shipping_address: address('Nairobi'),
      })
    ).body;
    const shipment = await sys.eventually(
      async () => (await staff.client.get(`/api/v1/shipments?order_id=${order.id}`)).body.data?.[0],
    );
    const cancelled = await alice.client.post(`/api/v1/orders/${order.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await staff.client.get(`/api/v1/products/${p.id}/stock`)).body.data[0]).toMatchObject({
      quantity: 1,
      reserved: 0,
      available: 1,
    });
    await sys.eventually(
      async () => (await staff.client.get(`/api/v1/shipments/${shipment.id}`)).body.status === 'cancelled',
    );
    await notified(alice, 'order.cancelled', /cancelled/i, order.id);
  });

  it('gives the last unit to exactly one of two racing customers', async () => {
    const p = await product({ NBO: 1 });
    const carts = [await cart(alice, p.id), await cart(bob, p.id)];
    const [a, b] = await Promise.all([
      alice.client.post('/api/v1/orders', { cart_id: carts[0], shipping_address: address('Nairobi') }),
      bob.client.post('/api/v1/orders', { cart_id: carts[1], shipping_address: address('Nairobi') }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect((a.status === 409 ? a : b).body.code).toBe('out_of_stock');
    expect((await staff.client.get(`/api/v1/products/${p.id}/stock`)).body.data[0]).toMatchObject({
      available: 0,
      reserved: 1,
    });
  });

  it('keeps the catalogue to staff and every route to signed-in callers', async () => {
    expect(
      (
        await alice.client.post('/api/v1/products', {
          sku: sku(),
          name: 'x',
          price: { amount: 1, currency: 'KES' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await alice.client.post('/api/v1/warehouses', { code: 'X', name: 'x', latitude: 0, longitude: 0 }))
        .status,
    ).toBe(403);
    expect((await alice.client.get('/api/v1/products')).status).toBe(200);
    for (const p of ['/api/v1/orders', '/api/v1/carts', '/api/v1/shipments', '/api/v1/products']) {
      const res = await sys.anonymous.get(p, { 'x-user-id': alice.id, 'request-user-id': alice.id });
      expect(res.status).toBe(401);
    }
  });
});
