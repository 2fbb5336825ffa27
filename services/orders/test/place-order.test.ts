/** Placing an order: its shape, the outbox event, the warehouse choice, refusals, idempotency. */
import { describe, expect, it } from 'vitest';
import { ifMatchOf, matrixLabel, matrixUnavailable, startTestServices } from '@portico/kit/testing';
import orders from '../src/service.ts';
import {
  address,
  cartWith,
  MOMBASA,
  NAIROBI,
  seedProduct,
  stockOf,
  uid,
  useOrdersService,
} from './fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`placing an order (${matrixLabel})`, () => {
  const t = useOrdersService(() => startTestServices([orders]));

  it('answers 201 with the order in the documented shape and reserves the stock', async () => {
    const a = await seedProduct(t.c.staff, { NBO: 10 }, { price: 125000, name: 'Lamp' });
    const b = await seedProduct(t.c.staff, { NBO: 10 }, { price: 5000, name: 'Bulb' });
    const me = uid();
    const customer = t.c.customer(me);
    const cart = await cartWith(customer, [
      { product_id: a.id, quantity: 1 },
      { product_id: b.id, quantity: 3 },
    ]);
    const res = await customer.post('/api/v1/orders', {
      cart_id: cart,
      shipping_address: address('Nairobi', { postal_code: '00100' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${res.body.id}`);
    expect(res.body).toMatchObject({
      id: expect.any(String),
      customer_id: me,
      status: 'confirmed',
      total: 125000 + 3 * 5000,
      currency: 'KES',
      warehouse: {
        code: 'NBO',
        name: NAIROBI.name,
        latitude: NAIROBI.latitude,
        longitude: NAIROBI.longitude,
      },
      shipping_address: {
        name: 'Wanjiku Kamau',
        line1: '12 Moi Avenue',
        city: 'Nairobi',
        country: 'KE',
        postal_code: '00100',
        latitude: null,
        longitude: null,
      },
    });
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        { product_id: a.id, sku: a.sku, name: 'Lamp', quantity: 1, unit_price: 125000 },
        { product_id: b.id, sku: b.sku, name: 'Bulb', quantity: 3, unit_price: 5000 },
      ]),
    );
    expect((await stockOf(t.c.staff, a.id)).NBO).toMatchObject({ quantity: 10, reserved: 1, available: 9 });
    expect((await stockOf(t.c.staff, b.id)).NBO).toMatchObject({ quantity: 10, reserved: 3, available: 7 });
    expect((await customer.get(`/api/v1/carts/${cart}`)).body).toMatchObject({
      status: 'ordered',
      order_id: res.body.id,
    });
  });

  it('writes order.confirmed with warehouse, items and address to the outbox in the same transaction', async () => {
    const p = await seedProduct(t.c.staff, { MBA: 2 });
    const customer = t.c.customer();
    const cart = await cartWith(customer, [{ product_id: p.id, quantity: 2 }]);
    const order = (
      await customer.post('/api/v1/orders', { cart_id: cart, shipping_address: address('Mombasa') })
    ).body;
    const db = t.env.services.get('orders')!.deps.db;
    const rows = await db
      .selectFrom('kit_outbox')
      .select(['type', 'event'])
      .where('type', '=', 'order.confirmed')
      .execute();
    const ev = rows
      .map((r: { event: unknown }) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event))
      .find((e: { subject: string }) => e.subject === order.id);
    expect(ev).toMatchObject({
      source: 'orders',
      type: 'order.confirmed',
      data: {
        order_id: order.id,
        customer_id: order.customer_id,
        warehouse: {
          code: 'MBA',
          name: MOMBASA.name,
          latitude: MOMBASA.latitude,
          longitude: MOMBASA.longitude,
        },
        items: [{ product_id: p.id, sku: p.sku, quantity: 2, unit_price: p.price, name: p.name }],
        total: 2 * p.price,
        currency: 'KES',
        shipping_address: { city: 'Mombasa', country: 'KE' },
      },
    });
  });

  it('serves a Mombasa customer from Mombasa when it has the stock, and from Nairobi when it does not', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 10, MBA: 1, KSM: 10 });
    const mombasa = t.c.customer();
    const first = await mombasa.post('/api/v1/orders', {
      cart_id: await cartWith(mombasa, [{ product_id: p.id, quantity: 1 }]),
      shipping_address: address('Mombasa'),
    });
    expect(first.body.warehouse.code).toBe('MBA');
    const second = await mombasa.post('/api/v1/orders', {
      cart_id: await cartWith(mombasa, [{ product_id: p.id, quantity: 1 }]),
      shipping_address: address('Mombasa'),
    });
    expect(second.status).toBe(201);
    expect(second.body.warehouse.code).toBe('NBO'); // Nairobi (~440 km) is nearer than Kisumu (~740 km)
    const stock = await stockOf(t.c.staff, p.id);
    expect(stock.MBA!.available).toBe(0);
    expect(stock.NBO!.reserved).toBe(1);
  });

  it('uses the coordinates on the address over its city, and ships from one warehouse that holds everything', async () => {
    const a = await seedProduct(t.c.staff, { NBO: 5, KSM: 5, MBA: 5 });
    const b = await seedProduct(t.c.staff, { NBO: 5, KSM: 5 });
    const me = t.c.customer();
    // City says Mombasa, coordinates say near Kisumu: coordinates win.
    const nearKisumu = address('Mombasa', { latitude: -0.1, longitude: 34.7 });
    const res = await me.post('/api/v1/orders', {
      cart_id: await cartWith(me, [{ product_id: a.id, quantity: 1 }]),
      shipping_address: nearKisumu,
    });
    expect(res.body.warehouse.code).toBe('KSM');
    expect(res.body.shipping_address).toMatchObject({ latitude: -0.1, longitude: 34.7 });
    // Mombasa lacks b: the nearest warehouse holding both is Nairobi.
    const both = await me.post('/api/v1/orders', {
      cart_id: await cartWith(me, [
        { product_id: a.id, quantity: 1 },
        { product_id: b.id, quantity: 1 },
      ]),
      shipping_address: address('Mombasa'),
    });
    expect(both.body.warehouse.code).toBe('NBO');
  });

  it('falls back to the first warehouse by code for a city it cannot place', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 5, MBA: 5 });
    const me = t.c.customer();
    const res = await me.post('/api/v1/orders', {
      cart_id: await cartWith(me, [{ product_id: p.id, quantity: 1 }]),
      shipping_address: address('Atlantis'),
    });
    expect(res.status).toBe(201);
    expect(res.body.warehouse.code).toBe('MBA'); // KSM holds none; MBA < NBO
  });

  it('answers 409 out_of_stock when no single warehouse holds everything, and reserves nothing', async () => {
    const a = await seedProduct(t.c.staff, { NBO: 1 });
    const b = await seedProduct(t.c.staff, { MBA: 1 });
    const me = t.c.customer();
    const cart = await cartWith(me, [
      { product_id: a.id, quantity: 1 },
      { product_id: b.id, quantity: 1 },
    ]);
    const res = await me.post('/api/v1/orders', { cart_id: cart, shipping_address: address('Nairobi') });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('out_of_stock');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await stockOf(t.c.staff, a.id)).NBO!.reserved).toBe(0);
    expect((await me.get(`/api/v1/carts/${cart}`)).body.status).toBe('open');
  });

  it('refuses an empty cart (422), a cart already ordered (409) and a cart mixing currencies (422)', async () => {
    const me = t.c.customer();
    const empty = await cartWith(me, []);
    const res = await me.post('/api/v1/orders', { cart_id: empty, shipping_address: address('Nairobi') });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cart_id', code: 'empty_cart' })]);

    const p = await seedProduct(t.c.staff, { NBO: 5 });
    const cart = await cartWith(me, [{ product_id: p.id, quantity: 1 }]);
    const first = await me.post('/api/v1/orders', { cart_id: cart, shipping_address: address('Nairobi') });
    expect(first.status).toBe(201);
    const again = await me.post('/api/v1/orders', { cart_id: cart, shipping_address: address('Nairobi') });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', order_id: first.body.id });
    expect((await me.post(`/api/v1/carts/${cart}/items`, { product_id: p.id, quantity: 1 })).status).toBe(
      409,
    );

    // Currencies can only mix if a product's currency changes after it was added.
    const x = await seedProduct(t.c.staff, { NBO: 5 });
    const y = await seedProduct(t.c.staff, { NBO: 5 });
    const mixed = await cartWith(me, [
      { product_id: x.id, quantity: 1 },
      { product_id: y.id, quantity: 1 },
    ]);
    const current = await ifMatchOf(t.c.staff, `/api/v1/products/${y.id}`);
    expect((await t.c.staff.patch(`/api/v1/products/${y.id}`, { currency: 'USD' }, current)).status).toBe(
      200,
    );
    const refused = await me.post('/api/v1/orders', {
      cart_id: mixed,
      shipping_address: address('Nairobi'),
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ field: 'cart_id', code: 'mixed_currency' }),
    ]);
  });

  it("refuses another customer's cart as if it did not exist (422 on cart_id)", async () => {
    const p = await seedProduct(t.c.staff, { NBO: 5 });
    const cart = await cartWith(t.c.customer(), [{ product_id: p.id, quantity: 1 }]);
    const res = await t.c
      .customer()
      .post('/api/v1/orders', { cart_id: cart, shipping_address: address('Nairobi') });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cart_id', code: 'not_found' })]);
  });

  it('validates the shipping address, naming the field', async () => {
    const me = t.c.customer();
    const res = await me.post('/api/v1/orders', {
      cart_id: 'x',
      shipping_address: { name: 'A', line1: 'B', country: 'KE', latitude: 100 },
    });
    expect(res.status).toBe(422);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['shipping_address.city', 'shipping_address.latitude']));
    const half = await me.post('/api/v1/orders', {
      cart_id: 'x',
      shipping_address: address('Nairobi', { latitude: 1 }),
    });
    expect(half.status).toBe(422);
    expect(half.body.errors).toEqual([expect.objectContaining({ field: 'shipping_address.longitude' })]);
  });

  it('replays an order for the same Idempotency-Key and body, and refuses the key with another body (422)', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 5 });
    const me = t.c.customer();
    const cart = await cartWith(me, [{ product_id: p.id, quantity: 1 }]);
    const key = { 'idempotency-key': uid('order') };
    const body = { cart_id: cart, shipping_address: address('Nairobi') };
    const first = await me.post('/api/v1/orders', body, key);
    expect(first.status).toBe(201);
    const replay = await me.post('/api/v1/orders', body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.body).toEqual(first.body);
    const other = await me.post('/api/v1/orders', { ...body, shipping_address: address('Mombasa') }, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect((await stockOf(t.c.staff, p.id)).NBO!.reserved).toBe(1);
    expect(
      (await me.get('/api/v1/orders')).body.data.filter((o: { id: string }) => o.id === first.body.id),
    ).toHaveLength(1);
  });
});
