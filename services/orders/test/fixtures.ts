/** Test helpers: seed the catalogue and place orders over HTTP, as real callers would. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { ifMatchOf, userCaller, withHeaders, type TestClient, type TestServices } from '@portico/kit/testing';

export const NAIROBI = { code: 'NBO', name: 'Nairobi DC', latitude: -1.2921, longitude: 36.8219 };
export const MOMBASA = { code: 'MBA', name: 'Mombasa DC', latitude: -4.0435, longitude: 39.6682 };
export const KISUMU = { code: 'KSM', name: 'Kisumu DC', latitude: -0.0917, longitude: 34.768 };

export const address = (city: string, extra: Record<string, unknown> = {}) => ({
  name: 'Wanjiku Kamau',
  line1: '12 Moi Avenue',
  city,
  country: 'KE',
  ...extra,
});

export const uid = (prefix = 'u') => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * These tests were written against the 2026-01-01 shapes (money as an integer beside a
 * `currency` field): they name that version explicitly, as any client written then would, so
 * they also exercise the kit's version chain (src/versions.ts). The newest shape is tested in
 * versions.test.ts and the system tests.
 */
export const PINNED = { 'portico-version': '2026-01-01' };

export function clients(env: TestServices) {
  const as = (caller: ReturnType<typeof userCaller>) => withHeaders(env.as('orders', caller), PINNED);
  return {
    staff: as(userCaller(uid('staff'), ['staff'])),
    admin: as(userCaller(uid('admin'), ['admin'])),
    customer: (id = uid('cust')) => as(userCaller(id, ['user'])),
  };
}

export async function seedWarehouses(staff: TestClient, ...sites: (typeof NAIROBI)[]): Promise<void> {
  for (const w of sites) {
    const res = await staff.post('/api/v1/warehouses', w);
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`warehouse ${w.code}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** Creates a product and sets its stock per warehouse code; returns the product. */
export async function seedProduct(
  staff: TestClient,
  stock: Record<string, number>,
  opts: { price?: number; currency?: string; name?: string } = {},
): Promise<{ id: string; sku: string; price: number; currency: string; name: string }> {
  const sku = `SKU-${randomBytes(5).toString('hex')}`;
  const res = await staff.post('/api/v1/products', {
    sku,
    name: opts.name ?? `Thing ${sku}`,
    price: opts.price ?? 1500,
    currency: opts.currency ?? 'KES',
  });
  if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
  for (const [code, quantity] of Object.entries(stock)) {
    const current = await ifMatchOf(staff, `/api/v1/products/${res.body.id}`);
    const s = await staff.put(`/api/v1/products/${res.body.id}/stock/${code}`, { quantity }, current);
    if (s.status !== 200) throw new Error(`stock: ${s.status} ${JSON.stringify(s.body)}`);
  }
  return res.body;
}

/** Opens a cart for `customer` holding `lines` and returns its id. */
export async function cartWith(
  customer: TestClient,
  lines: { product_id: string; quantity: number }[],
): Promise<string> {
  const cart = await customer.post('/api/v1/carts', {});
  if (cart.status !== 201) throw new Error(`cart: ${cart.status} ${JSON.stringify(cart.body)}`);
  for (const l of lines) {
    const r = await customer.post(`/api/v1/carts/${cart.body.id}/items`, l);
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`cart item: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return cart.body.id;
}

export async function stockOf(
  staff: TestClient,
  productId: string,
): Promise<Record<string, { quantity: number; reserved: number; available: number }>> {
  const res = await staff.get(`/api/v1/products/${productId}/stock`);
  return Object.fromEntries(
    res.body.data.map((s: { warehouse: string; quantity: number; reserved: number; available: number }) => [
      s.warehouse,
      s,
    ]),
  );
}

/**
 * One orders service with the three warehouses seeded, for a describe block: `beforeAll` starts
 * it and `afterAll` stops it. Read `env` and `c` inside tests (they are set once started).
 */
export function useOrdersService(start: () => Promise<TestServices>): {
  env: TestServices;
  c: ReturnType<typeof clients>;
} {
  const state = {} as { env: TestServices; c: ReturnType<typeof clients> };
  beforeAll(async () => {
    state.env = await start();
    state.c = clients(state.env);
    await seedWarehouses(state.c.staff, NAIROBI, MOMBASA, KISUMU);
  });
  afterAll(() => state.env?.stop());
  return state;
}
