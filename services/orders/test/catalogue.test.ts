import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ifMatchOf,
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '@portico/kit/testing';
import orders from '../src/service.ts';
import {
  cartWith,
  clients,
  MOMBASA,
  NAIROBI,
  seedProduct,
  seedWarehouses,
  uid,
  address,
} from './fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`the catalogue: warehouses, products, stock (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    env = await startTestServices([orders]);
    c = clients(env);
    await seedWarehouses(c.staff, NAIROBI, MOMBASA);
  });
  afterAll(() => env?.stop());

  it('lets staff create a warehouse with 201 and Location, upper-casing its code; a taken code is 409', async () => {
    const res = await c.staff.post('/api/v1/warehouses', {
      code: 'ksm-1',
      name: 'Kisumu',
      latitude: -0.09,
      longitude: 34.77,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/warehouses/${res.body.id}`);
    expect(res.body).toMatchObject({ code: 'KSM-1', name: 'Kisumu', latitude: -0.09, longitude: 34.77 });
    const again = await c.admin.post('/api/v1/warehouses', {
      code: 'KSM-1',
      name: 'Other',
      latitude: 0,
      longitude: 0,
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([expect.objectContaining({ field: 'code' })]);
    const list = await c.staff.get('/api/v1/warehouses');
    expect(list.body.data.map((w: { code: string }) => w.code)).toEqual(
      expect.arrayContaining(['KSM-1', 'MBA', 'NBO']),
    );
  });

  it('validates warehouse coordinates and refuses customers (403)', async () => {
    const bad = await c.staff.post('/api/v1/warehouses', {
      code: 'X1',
      name: 'X',
      latitude: 91,
      longitude: 0,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'latitude' })]);
    expect(
      (await c.customer().post('/api/v1/warehouses', { code: 'X2', name: 'X', latitude: 0, longitude: 0 }))
        .status,
    ).toBe(403);
    expect((await c.customer().get('/api/v1/warehouses')).status).toBe(403);
  });

  it('creates products with integer prices and a unique SKU (409 on a duplicate)', async () => {
    const sku = uid('SKU');
    const res = await c.staff.post('/api/v1/products', {
      sku,
      name: 'Kikoy',
      price: 250000,
      currency: 'KES',
      description: 'Cotton',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/products/${res.body.id}`);
    expect(res.body).toMatchObject({
      sku,
      name: 'Kikoy',
      price: 250000,
      currency: 'KES',
      active: true,
      description: 'Cotton',
    });
    const dup = await c.staff.post('/api/v1/products', { sku, name: 'Other', price: 1, currency: 'KES' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('already_exists');
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'sku' })]);
    expect(JSON.stringify(dup.body)).not.toMatch(/duplicate key|constraint|insert/i);
  });

  it('speaks money as { amount, currency } at the latest version, and reads the same product at both', async () => {
    const latest = env.as('orders', userCaller(uid('staff'), ['staff'])); // no Portico-Version: the latest
    const sku = uid('MONEY');
    const res = await latest.post('/api/v1/products', {
      sku,
      name: 'Kanga',
      price: { amount: 90000, currency: 'KES' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('portico-version')).toBe('2026-12-01');
    expect(res.body.price).toEqual({ amount: 90000, currency: 'KES' });
    expect(res.body).not.toHaveProperty('currency');
    // The 2026-01-01 body shape is refused at the latest version, naming the field.
    const old = await latest.post('/api/v1/products', {
      sku: uid('S'),
      name: 'X',
      price: 1,
      currency: 'KES',
    });
    expect(old.status).toBe(422);
    expect(old.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['currency', 'price']);
    // A partial money object changes just that part.
    const patched = await latest.patch(
      `/api/v1/products/${res.body.id}`,
      { price: { amount: 95000 } },
      await ifMatchOf(latest, `/api/v1/products/${res.body.id}`),
    );
    expect(patched.body.price).toEqual({ amount: 95000, currency: 'KES' });
    // The pinned client reads the same row in its shape.
    const pinned = await c.staff.get(`/api/v1/products/${res.body.id}`);
    expect(pinned.headers.get('portico-version')).toBe('2026-01-01');
    expect(pinned.body).toMatchObject({ price: 95000, currency: 'KES' });
  });

  it('refuses a float price, a lower-case currency and unknown fields (422 naming each)', async () => {
    const res = await c.staff.post('/api/v1/products', {
      sku: uid('S'),
      name: 'X',
      price: 10.5,
      currency: 'kes',
      stock: 4,
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'currency',
      'price',
      'stock',
    ]);
  });

  it('lets customers read active products but not create, change or see withdrawn ones', async () => {
    const p = await seedProduct(c.staff, {}, { name: 'Sufuria' });
    const customer = c.customer();
    expect((await customer.get(`/api/v1/products/${p.id}`)).status).toBe(200);
    expect(
      (await customer.post('/api/v1/products', { sku: uid('S'), name: 'X', price: 1, currency: 'KES' }))
        .status,
    ).toBe(403);
    const current = () => ifMatchOf(c.staff, `/api/v1/products/${p.id}`);
    expect((await customer.patch(`/api/v1/products/${p.id}`, { price: 1 }, await current())).status).toBe(
      403,
    );
    const found = await customer.get(`/api/v1/products?q=${encodeURIComponent(p.sku)}`);
    expect(found.body.data.map((x: { id: string }) => x.id)).toEqual([p.id]);

    expect((await c.staff.delete(`/api/v1/products/${p.id}`)).status).toBe(428);
    expect((await c.staff.delete(`/api/v1/products/${p.id}`, await current())).status).toBe(204);
    expect((await customer.get(`/api/v1/products/${p.id}`)).status).toBe(404);
    expect((await customer.get(`/api/v1/products?q=${encodeURIComponent(p.sku)}`)).body.data).toEqual([]);
    const staffView = await c.staff.get(`/api/v1/products/${p.id}`);
    expect(staffView.body.active).toBe(false);
    expect(
      (await c.staff.get(`/api/v1/products?active=false&q=${encodeURIComponent(p.sku)}`)).body.data,
    ).toHaveLength(1);
  });

  it('changes a product with PATCH and treats % in a search literally', async () => {
    const p = await seedProduct(c.staff, {}, { name: 'Chai 100% leaf' });
    const current = () => ifMatchOf(c.staff, `/api/v1/products/${p.id}`);
    const res = await c.staff.patch(
      `/api/v1/products/${p.id}`,
      { price: 999, name: 'Chai 100% pure' },
      await current(),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ price: 999, name: 'Chai 100% pure' });
    expect((await c.staff.patch(`/api/v1/products/${p.id}`, { sku: 'x y' }, await current())).status).toBe(
      422,
    );
    expect((await c.staff.patch(`/api/v1/products/nope`, { price: 1 }, { 'if-match': '"v1"' })).status).toBe(
      404,
    );
    const hits = await c.staff.get(`/api/v1/products?q=${encodeURIComponent('100%')}`);
    expect(hits.body.data.every((x: { name: string }) => x.name.includes('100%'))).toBe(true);
  });

  it('sets stock per warehouse and lists it with reserved and available units', async () => {
    const p = await seedProduct(c.staff, { nbo: 7 });
    const current = await ifMatchOf(c.staff, `/api/v1/products/${p.id}`);
    const put = await c.staff.put(`/api/v1/products/${p.id}/stock/MBA`, { quantity: 3 }, current);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      product_id: p.id,
      warehouse: 'MBA',
      quantity: 3,
      reserved: 0,
      available: 3,
    });
    const list = await c.staff.get(`/api/v1/products/${p.id}/stock`);
    expect(list.body.data.map((s: object) => ({ ...s, updated_at: undefined }))).toEqual([
      { product_id: p.id, warehouse: 'MBA', quantity: 3, reserved: 0, available: 3, updated_at: undefined },
      { product_id: p.id, warehouse: 'NBO', quantity: 7, reserved: 0, available: 7, updated_at: undefined },
    ]);
  });

  it('answers 404 for stock of an unknown product or warehouse, 422 for negative stock, 403 for customers', async () => {
    const p = await seedProduct(c.staff, {});
    const current = await ifMatchOf(c.staff, `/api/v1/products/${p.id}`);
    const put = (who: typeof c.staff, path: string, quantity: number) =>
      who.put(path, { quantity }, current).then((r) => r.status);
    expect(await put(c.staff, `/api/v1/products/${p.id}/stock/NOPE`, 1)).toBe(404);
    expect(await put(c.staff, `/api/v1/products/nope/stock/NBO`, 1)).toBe(404);
    expect(await put(c.staff, `/api/v1/products/${p.id}/stock/NBO`, -1)).toBe(422);
    expect(await put(c.customer(), `/api/v1/products/${p.id}/stock/NBO`, 1)).toBe(403);
    expect((await c.customer().get(`/api/v1/products/${p.id}/stock`)).status).toBe(403);
  });

  it('will not count stock below what orders have reserved', async () => {
    const p = await seedProduct(c.staff, { NBO: 5 });
    const customer = c.customer();
    const cart = await cartWith(customer, [{ product_id: p.id, quantity: 4 }]);
    expect(
      (await customer.post('/api/v1/orders', { cart_id: cart, shipping_address: address('Nairobi') })).status,
    ).toBe(201);
    const current = await ifMatchOf(c.staff, `/api/v1/products/${p.id}`);
    const res = await c.staff.put(`/api/v1/products/${p.id}/stock/NBO`, { quantity: 3 }, current);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'quantity', code: 'below_reserved' })]);
    expect(
      (await c.staff.put(`/api/v1/products/${p.id}/stock/NBO`, { quantity: 4 }, current)).body,
    ).toMatchObject({
      quantity: 4,
      reserved: 4,
      available: 0,
    });
  });
});
