import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  MOMBASA,
  NAIROBI,
  seedProduct,
  seedWarehouses,
  stockOf,
  uid,
} from '../../services/orders/test/fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`an order through shipping and back (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof clients>;
  const shippingAs = (id: string, roles = ['user']) => env.as('shipping', userCaller(id, roles));
  const staffShipping = () => shippingAs(uid('staff'), ['staff']);
  const shipmentOf = (orderId: string) =>
    env.eventually(
      async () => (await staffShipping().get(`/api/v1/shipments?order_id=${orderId}`)).body.data[0],
    );
  const orderStatus = (orderId: string, status: string) =>
    env.eventually(async () => {
      const o = (await c.staff.get(`/api/v1/orders/${orderId}`)).body;
      return o.status === status && o;
    });
  const outbox = async (service: string, type: string) => {
    const rows = await env.services
      .get(service)!
      .deps.db.selectFrom('kit_outbox')
      .select('event')
      .where('type', '=', type)
      .execute();
    return rows.map((r: { event: unknown }) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event));
  };

  beforeAll(async () => {
    env = await startTestServices([orders, shipping]);
    c = clients(env);
    await seedWarehouses(c.staff, NAIROBI, MOMBASA);
  });
  afterAll(() => env?.stop());

  async function placeOrder(
    customerId: string,
    stock: Record<string, number>,
    quantity = 1,
    city = 'Mombasa',
  ) {
    const p = await seedProduct(c.staff, stock);
    const customer = c.customer(customerId);
    const res = await customer.post('/api/v1/orders', {
      cart_id: await cartWith(customer, [{ product_id: p.id, quantity }]),
      shipping_address: address(city),
    });
    expect(res.status).toBe(201);
    return { product: p, order: res.body, customer };
  }

  it('runs the chain: order confirmed → shipment created → dispatched → order shipped → delivered → order delivered', async () => {
    const me = uid('cust');
    const { product, order, customer } = await placeOrder(me, { MBA: 5 }, 2);

    const shipment = await shipmentOf(order.id);
    expect(shipment).toMatchObject({
      order_id: order.id,
      customer_id: me,
      status: 'pending',
      origin: { code: 'MBA' },
      destination: { city: 'Mombasa' },
    });
    expect(shipment.tracking_number).toMatch(/^PT[0-9A-Z]{10}$/);
    // the customer sees their shipment, but may not dispatch it
    expect((await shippingAs(me).get(`/api/v1/shipments/${shipment.id}`)).status).toBe(200);
    expect((await shippingAs(me).post(`/api/v1/shipments/${shipment.id}/dispatch`)).status).toBe(403);
    expect((await shippingAs(uid('other')).get(`/api/v1/shipments/${shipment.id}`)).status).toBe(404);

    const dispatched = await staffShipping().post(`/api/v1/shipments/${shipment.id}/dispatch`, {
      carrier: 'Wells Fargo Kenya',
    });
    expect(dispatched.status).toBe(200);
    const shipped = await orderStatus(order.id, 'shipped');
    expect(shipped).toMatchObject({
      shipped_at: expect.any(String),
      tracking_number: shipment.tracking_number,
    });
    expect((await customer.get(`/api/v1/orders/${order.id}`)).body.status).toBe('shipped');
    // the goods left the warehouse: on hand and reserved both drop
    expect((await stockOf(c.staff, product.id)).MBA).toMatchObject({
      quantity: 3,
      reserved: 0,
      available: 3,
    });

    expect((await staffShipping().post(`/api/v1/shipments/${shipment.id}/deliver`)).status).toBe(200);
    const delivered = await orderStatus(order.id, 'delivered');
    expect(delivered.delivered_at).toEqual(expect.any(String));

    await env.services.get('orders')!.flushOutbox();
    const published = [
      ...(await outbox('orders', 'order.shipped')),
      ...(await outbox('orders', 'order.delivered')),
    ].filter((e) => e.data.order_id === order.id);
    expect(published.map((e) => [e.type, e.data])).toEqual([
      [
        'order.shipped',
        expect.objectContaining({
          order_id: order.id,
          customer_id: me,
          status: 'shipped',
          tracking_number: shipment.tracking_number,
        }),
      ],
      [
        'order.delivered',
        expect.objectContaining({ order_id: order.id, customer_id: me, status: 'delivered' }),
      ],
    ]);
    const tracking = await shippingAs(me).get(`/api/v1/shipments/${shipment.id}/tracking`);
    expect(tracking.body.history.map((h: { status: string }) => h.status)).toEqual([
      'pending',
      'in_transit',
      'delivered',
    ]);
  });

  it('cancelling a confirmed order restores its stock and cancels the shipment', async () => {
    const me = uid('cust');
    const { product, order, customer } = await placeOrder(me, { MBA: 4 }, 4);
    const shipment = await shipmentOf(order.id);
    expect((await stockOf(c.staff, product.id)).MBA!.available).toBe(0);
    const res = await customer.post(`/api/v1/orders/${order.id}/cancel`);
    expect(res.status).toBe(200);
    expect((await stockOf(c.staff, product.id)).MBA).toMatchObject({
      quantity: 4,
      reserved: 0,
      available: 4,
    });
    await env.eventually(
      async () => (await staffShipping().get(`/api/v1/shipments/${shipment.id}`)).body.status === 'cancelled',
    );
    expect((await staffShipping().post(`/api/v1/shipments/${shipment.id}/dispatch`)).status).toBe(409);
  });

  it('refuses to cancel an order once its shipment was dispatched (409 invalid_state), keeping the stock shipped', async () => {
    const me = uid('cust');
    const { product, order, customer } = await placeOrder(me, { NBO: 2 }, 1, 'Nairobi');
    const shipment = await shipmentOf(order.id);
    await staffShipping().post(`/api/v1/shipments/${shipment.id}/dispatch`);
    await orderStatus(order.id, 'shipped');
    const res = await customer.post(`/api/v1/orders/${order.id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'invalid_state', current_status: 'shipped' });
    expect((await c.staff.get(`/api/v1/orders/${order.id}`)).body.status).toBe('shipped');
    expect((await stockOf(c.staff, product.id)).NBO).toMatchObject({ quantity: 1, reserved: 0 });
    expect((await staffShipping().get(`/api/v1/shipments/${shipment.id}`)).body.status).toBe('in_transit');
  });

  it('creates one shipment per order when many orders arrive at once', async () => {
    const p = await seedProduct(c.staff, { NBO: 20 });
    const placed = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const cu = c.customer();
        return (
          await cu.post('/api/v1/orders', {
            cart_id: await cartWith(cu, [{ product_id: p.id, quantity: 1 }]),
            shipping_address: address('Nairobi'),
          })
        ).body;
      }),
    );
    const shipments = await env.eventually(async () => {
      const all = await Promise.all(
        placed.map(async (o) => (await staffShipping().get(`/api/v1/shipments?order_id=${o.id}`)).body.data),
      );
      return all.every((s) => s.length === 1) && all.flat();
    });
    expect(new Set(shipments.map((s: { tracking_number: string }) => s.tracking_number)).size).toBe(20);
  });
});
