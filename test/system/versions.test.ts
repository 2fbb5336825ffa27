/**
 * Dated API versions through the gateway (docs/versions.md): the same orders code serves money
 * as `{ amount, currency }` objects (2026-12-01) to a new client and as bare integers beside a
 * `currency` field (2026-01-01) to a client pinned before the change; an API key created before
 * the change keeps the old shape; an explicit `Portico-Version` header wins over the pin; an
 * unknown version is a 400 naming the header; `/openapi.json?version=` describes each version.
 */
import { randomBytes } from 'node:crypto';
import { httpClient, ifMatchOf, validateAgainst, type TestClient } from '@portico/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

const OLD = '2026-01-01';
const NEW = '2026-12-01';
const address = { name: 'Wanjiku Kamau', line1: '12 Moi Avenue', city: 'Mombasa', country: 'KE' };

describe.skipIf(skip)(`dated API versions through the gateway (${systemMode})`, () => {
  let sys: System;
  let staff: Session;
  let alice: Session;
  let productId: string;
  /** Alice's token, pinned to the old version. */
  let aliceOld: TestClient;

  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'orders'] });
    staff = await sys.grantRoles(await sys.signUp(), ['staff']);
    alice = await sys.signUp();
    const code = `V${randomBytes(3).toString('hex').toUpperCase()}`;
    const w = await staff.client.post('/api/v1/warehouses', {
      code,
      name: 'Versions DC',
      latitude: -4,
      longitude: 39.6,
    });
    expect(w.status).toBe(201);
    // Staff (pinned to the latest version at sign-up) create the product in the new shape.
    const p = await staff.client.post('/api/v1/products', {
      sku: `VER-${randomBytes(4).toString('hex')}`,
      name: 'Kikoy',
      price: { amount: 150000, currency: 'KES' },
    });
    expect(p.status).toBe(201);
    expect(p.headers.get('portico-version')).toBe(NEW);
    expect(p.body.price).toEqual({ amount: 150000, currency: 'KES' });
    productId = p.body.id;
    const stock = await staff.client.put(
      `/api/v1/products/${productId}/stock/${code}`,
      { quantity: 100 },
      await ifMatchOf(staff.client, `/api/v1/products/${productId}`),
    );
    expect(stock.status).toBe(200);

    // Alice pins herself to the old version; it applies to the tokens issued from then on.
    const me = await alice.client.patch('/api/v1/auth/me', { api_version: OLD });
    expect(me.status).toBe(200);
    expect(me.body.api_version).toBe(OLD);
    const again = await sys.login(alice.email, alice.password);
    aliceOld = again.client;
  }, 180_000);
  afterAll(() => sys?.stop());

  async function order(client: TestClient): Promise<string> {
    const cart = await client.post('/api/v1/carts', {});
    expect(cart.status).toBe(201);
    const added = await client.post(`/api/v1/carts/${cart.body.id}/items`, {
      product_id: productId,
      quantity: 2,
    });
    expect(added.status).toBe(201);
    const placed = await client.post('/api/v1/orders', { cart_id: cart.body.id, shipping_address: address });
    expect(placed.status).toBe(201);
    return placed.body.id as string;
  }

  it('serves the same order in the old shape to a pinned client and in the new shape to a new one', async () => {
    // The pinned client creates a product in the old request shape (staff pinned old via the header).
    const created = await staff.client.post(
      '/api/v1/products',
      { sku: `OLD-${randomBytes(4).toString('hex')}`, name: 'Kanga', price: 90000, currency: 'KES' },
      { 'portico-version': OLD },
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ price: 90000, currency: 'KES' });
    expect(created.headers.get('portico-version')).toBe(OLD);
    // The old request shape is validated as such: fields named as the old client sent them.
    const bad = await staff.client.post(
      '/api/v1/products',
      { sku: 'X-1', name: 'Bad', price: 1.5, currency: 'kes' },
      { 'portico-version': OLD },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['currency', 'price']);

    const id = await order(aliceOld);
    const old = await aliceOld.get(`/api/v1/orders/${id}`);
    expect(old.status).toBe(200);
    expect(old.headers.get('portico-version')).toBe(OLD);
    expect(old.body).toMatchObject({ total: 300000, currency: 'KES', items: [{ unit_price: 150000 }] });

    // The same order, read by staff at the latest version.
    const fresh = await staff.client.get(`/api/v1/orders/${id}`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('portico-version')).toBe(NEW);
    expect(fresh.body.total).toEqual({ amount: 300000, currency: 'KES' });
    expect(fresh.body.items[0].unit_price).toEqual({ amount: 150000, currency: 'KES' });
    expect(fresh.body).not.toHaveProperty('currency');

    // Lists and carts are downgraded too.
    const list = await aliceOld.get('/api/v1/orders?limit=5');
    expect(list.body.data.find((o: { id: string }) => o.id === id)).toMatchObject({
      total: 300000,
      currency: 'KES',
    });
    const product = await aliceOld.get(`/api/v1/products/${productId}`);
    expect(product.body).toMatchObject({ price: 150000, currency: 'KES' });

    // The old-version answer validates against the old-version document, not the new one.
    const schemaAt = async (version: string) => {
      const doc = await sys.anonymous.get(`/openapi.json?version=${version}`);
      expect(doc.status).toBe(200);
      return doc.body.paths['/api/v1/orders/{id}'].get.responses['200'].content['application/json'].schema;
    };
    expect(validateAgainst(await schemaAt(OLD), old.body).errors).toEqual([]);
    expect(validateAgainst(await schemaAt(NEW), old.body).ok).toBe(false);
    expect(validateAgainst(await schemaAt(NEW), fresh.body).errors).toEqual([]);
  });

  it('keeps an API key created before the change on the old shape; an explicit header overrides the pin', async () => {
    const created = await alice.client.post('/api/v1/api-keys', { name: 'legacy integration' });
    expect(created.status).toBe(201);
    // As migration 005 leaves every key that existed before dated versions (docs/versions.md).
    await sys.serviceSql(
      'identity',
      `update api_keys set api_version = '${OLD}' where id = '${created.body.id}'`,
    );
    const legacy = httpClient(sys.url, () => ({ 'x-api-key': created.body.key as string }));
    const id = await order(alice.client);
    const read = await legacy.get(`/api/v1/orders/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('portico-version')).toBe(OLD);
    expect(read.body).toMatchObject({ total: 300000, currency: 'KES' });

    // A key created now is pinned to the latest version; its owner may re-pin it.
    const now = await alice.client.post('/api/v1/api-keys', { name: 'new integration' });
    expect(now.body.api_version).toBe(NEW);
    const repinned = await alice.client.patch(`/api/v1/api-keys/${now.body.id}`, { api_version: OLD });
    expect(repinned.status).toBe(200);
    expect(repinned.body.api_version).toBe(OLD);

    // The explicit header wins over the pin, both ways.
    const upgraded = await legacy.get(`/api/v1/orders/${id}`, { 'portico-version': NEW });
    expect(upgraded.headers.get('portico-version')).toBe(NEW);
    expect(upgraded.body.total).toEqual({ amount: 300000, currency: 'KES' });
    const downgraded = await alice.client.get(`/api/v1/orders/${id}`, { 'portico-version': OLD });
    expect(downgraded.body.total).toBe(300000);
  });

  it('refuses an unknown version with a 400 naming the header, and documents each version', async () => {
    const res = await alice.client.get('/api/v1/orders', { 'portico-version': '2025-13-40' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('unsupported_api_version');
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: 'Portico-Version', code: 'not_allowed', allowed: [OLD, NEW] }),
    ]);
    expect((await sys.anonymous.get('/openapi.json?version=1999-01-01')).status).toBe(400);

    const [oldDoc, newDoc] = await Promise.all(
      [OLD, NEW].map(async (v) => (await sys.anonymous.get(`/openapi.json?version=${v}`)).body),
    );
    const productSchema = (doc: any) =>
      doc.paths['/api/v1/products/{id}'].get.responses['200'].content['application/json'].schema;
    expect(productSchema(oldDoc).properties.price.type).toBe('integer');
    expect(productSchema(oldDoc).properties.currency).toBeDefined();
    expect(productSchema(newDoc).properties.price.type).toBe('object');
    expect(productSchema(newDoc).properties.currency).toBeUndefined();
    const createBody = (doc: any) =>
      doc.paths['/api/v1/products'].post.requestBody.content['application/json'].schema.properties.price;
    expect(createBody(oldDoc).type).toBe('integer');
    expect(createBody(newDoc).type).toBe('object');
    expect(oldDoc.info['x-portico-api-version']).toBe(OLD);
  });
});
