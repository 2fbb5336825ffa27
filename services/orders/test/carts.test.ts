/** Carts: open, add/merge/change/remove lines priced from the catalogue, one currency, ownership. */
import { describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices } from '@portico/kit/testing';
import orders from '../src/service.ts';
import { cartWith, seedProduct, uid, useOrdersService } from './fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`carts (${matrixLabel})`, () => {
  const t = useOrdersService(() => startTestServices([orders]));

  it('opens an empty cart with 201 and Location, with or without a body', async () => {
    const me = uid();
    const res = await t.c.customer(me).post('/api/v1/carts');
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/carts/${res.body.id}`);
    expect(res.body).toMatchObject({
      customer_id: me,
      status: 'open',
      items: [],
      total: null,
      currency: null,
      order_id: null,
    });
    expect((await t.c.customer(me).post('/api/v1/carts', {})).status).toBe(201);
    expect((await t.c.customer(me).post('/api/v1/carts', { customer_id: 'someone' })).status).toBe(422);
  });

  it('adds, merges, changes and removes lines, pricing them from the catalogue', async () => {
    const a = await seedProduct(t.c.staff, {}, { price: 1200 });
    const b = await seedProduct(t.c.staff, {}, { price: 300 });
    const me = t.c.customer();
    const cart = (await me.post('/api/v1/carts')).body.id;
    const first = await me.post(`/api/v1/carts/${cart}/items`, { product_id: a.id, quantity: 1 });
    expect(first.status).toBe(201);
    const merged = await me.post(`/api/v1/carts/${cart}/items`, { product_id: a.id, quantity: 2 });
    expect(merged.status).toBe(200);
    expect(merged.body.items).toEqual([
      expect.objectContaining({ product_id: a.id, quantity: 3, unit_price: 1200, line_total: 3600 }),
    ]);
    await me.post(`/api/v1/carts/${cart}/items`, { product_id: b.id, quantity: 1 });
    const patched = await me.patch(`/api/v1/carts/${cart}/items/${b.id}`, { quantity: 4 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ total: 3600 + 1200, currency: 'KES' });
    expect((await me.delete(`/api/v1/carts/${cart}/items/${a.id}`)).status).toBe(204);
    expect((await me.get(`/api/v1/carts/${cart}`)).body).toMatchObject({
      total: 1200,
      items: [expect.objectContaining({ product_id: b.id })],
    });
    expect((await me.delete(`/api/v1/carts/${cart}/items/${a.id}`)).status).toBe(404);
  });

  it('refuses an unknown product, a zero quantity and a product in another currency (422)', async () => {
    const kes = await seedProduct(t.c.staff, {}, { currency: 'KES' });
    const usd = await seedProduct(t.c.staff, {}, { currency: 'USD' });
    const me = t.c.customer();
    const cart = await cartWith(me, [{ product_id: kes.id, quantity: 1 }]);
    const unknown = await me.post(`/api/v1/carts/${cart}/items`, { product_id: 'nope', quantity: 1 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'product_id', code: 'not_found' }),
    ]);
    expect((await me.post(`/api/v1/carts/${cart}/items`, { product_id: kes.id, quantity: 0 })).status).toBe(
      422,
    );
    const mixed = await me.post(`/api/v1/carts/${cart}/items`, { product_id: usd.id, quantity: 1 });
    expect(mixed.status).toBe(422);
    expect(mixed.body.errors).toEqual([
      expect.objectContaining({ field: 'product_id', code: 'currency_mismatch' }),
    ]);
  });

  it("hides one customer's cart from another (404) but not from an admin", async () => {
    const p = await seedProduct(t.c.staff, {});
    const alice = t.c.customer();
    const cart = await cartWith(alice, [{ product_id: p.id, quantity: 1 }]);
    const bob = t.c.customer();
    expect((await bob.get(`/api/v1/carts/${cart}`)).status).toBe(404);
    expect((await bob.post(`/api/v1/carts/${cart}/items`, { product_id: p.id, quantity: 1 })).status).toBe(
      404,
    );
    expect((await bob.patch(`/api/v1/carts/${cart}/items/${p.id}`, { quantity: 9 })).status).toBe(404);
    expect((await bob.delete(`/api/v1/carts/${cart}/items/${p.id}`)).status).toBe(404);
    expect((await bob.get('/api/v1/carts')).body.data).toEqual([]);
    expect((await alice.get('/api/v1/carts')).body.data.map((x: { id: string }) => x.id)).toEqual([cart]);
    expect((await t.c.admin.get(`/api/v1/carts/${cart}`)).status).toBe(200);
  });

  it('lists each cart with its own lines', async () => {
    const [p1, p2] = [await seedProduct(t.c.staff, {}), await seedProduct(t.c.staff, {})];
    const carol = t.c.customer();
    const one = await cartWith(carol, [{ product_id: p1.id, quantity: 2 }]);
    const two = await cartWith(carol, [
      { product_id: p1.id, quantity: 1 },
      { product_id: p2.id, quantity: 3 },
    ]);
    const listed = (await carol.get('/api/v1/carts')).body.data as {
      id: string;
      items: { product_id: string; quantity: number }[];
    }[];
    const byId = new Map(listed.map((x) => [x.id, x.items.map((i) => [i.product_id, i.quantity])]));
    expect(byId.get(one)).toEqual([[p1.id, 2]]);
    expect(byId.get(two)).toEqual(
      [
        [p1.id, 1],
        [p2.id, 3],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });
});
