/**
 * OWASP API Top 10 (2023) through the gateway — access control:
 *   API1 broken object-level authorization (BOLA) over tasks, carts, notifications, webhooks,
 *        API keys and user records: another user's id answers as an id that does not exist;
 *   API3 broken object-property-level authorization: every documented write operation refuses
 *        fields a client must not set (mass assignment) with 422 naming them, and no response
 *        carries a password hash;
 *   API5 broken function-level authorization: admin routes refuse a plain user (403);
 *   API6 sensitive business flows: registration does not enumerate accounts, login does not
 *        tell unknown email from wrong password.
 */
import { ifMatchOf } from '@portico/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from '../system/harness.ts';
import { ALL_SERVICES, expectProblem, fill, operations, type OpenApiDoc } from './platform.ts';

const skip = await systemUnavailable();
const HOOK_URL = 'https://93.184.216.34/portico-hook';

describe.skipIf(skip)(`access control (${systemMode})`, () => {
  let sys: System;
  let alice: Session;
  let mallory: Session;
  let admin: Session;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    sys = await startSystem({ services: ALL_SERVICES, env: { PORTICO_WEBHOOK_ALLOW_PRIVATE: 'false' } });
    [alice, mallory, admin] = await Promise.all([sys.signUp(), sys.signUp(), sys.admin()]);
    doc = (await sys.anonymous.get('/openapi.json')).body as OpenApiDoc;
  }, 180_000);
  afterAll(() => sys?.stop());

  describe('API1: object-level authorization', () => {
    /** Alice's records, one per resource, and the operations Mallory tries on each. */
    const aliceOwns = async () => {
      const task = (await alice.client.post('/api/v1/tasks', { title: 'Alice only' })).body.id as string;
      const cart = (await alice.client.post('/api/v1/carts', {})).body.id as string;
      const hook = await alice.client.post('/api/v1/webhooks', {
        url: HOOK_URL,
        event_types: ['order.confirmed'],
      });
      expect(hook.status, JSON.stringify(hook.body)).toBe(201);
      const key = (await alice.client.post('/api/v1/api-keys', { name: 'alice', scopes: ['products:read'] }))
        .body.id as string;
      const note = await sys.eventually(async () => {
        const list = (await alice.client.get('/api/v1/notifications')).body.data as { id: string }[];
        return list[0]?.id;
      });
      return { task, cart, hook: hook.body.id as string, key, note };
    };

    it('answers 404 to every read, change and delete of another user’s records, as for a missing id', async () => {
      const ids = await aliceOwns();
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/v1/tasks/${ids.task}`],
        ['PATCH', `/api/v1/tasks/${ids.task}`, { title: 'mine now' }],
        ['DELETE', `/api/v1/tasks/${ids.task}`],
        ['POST', `/api/v1/tasks/${ids.task}/complete`],
        ['GET', `/api/v1/carts/${ids.cart}`],
        ['POST', `/api/v1/carts/${ids.cart}/items`, { product_id: ids.cart, quantity: 1 }],
        ['GET', `/api/v1/webhooks/${ids.hook}`],
        ['PATCH', `/api/v1/webhooks/${ids.hook}`, { url: 'https://93.184.216.35/stolen' }],
        ['GET', `/api/v1/webhooks/${ids.hook}/deliveries`],
        ['DELETE', `/api/v1/webhooks/${ids.hook}`],
        ['GET', `/api/v1/api-keys/${ids.key}`],
        ['DELETE', `/api/v1/api-keys/${ids.key}`],
        ['GET', `/api/v1/notifications/${ids.note}`],
        ['POST', `/api/v1/notifications/${ids.note}/read`],
        ['DELETE', `/api/v1/notifications/${ids.note}`],
      ];
      for (const [method, path, body] of attempts) {
        const res = await mallory.client.request(method, path, body);
        // 404 like a missing record (no existence oracle); a 403 would also hold, a 2xx never.
        expect([403, 404], `${method} ${path} → ${res.status}`).toContain(res.status);
        expect(res.headers.get('content-type'), `${method} ${path}`).toContain('application/problem+json');
      }
      // Alice's records are untouched.
      expect((await alice.client.get(`/api/v1/tasks/${ids.task}`)).body.title).toBe('Alice only');
      expect((await alice.client.get(`/api/v1/webhooks/${ids.hook}`)).body.url).toBe(HOOK_URL);
      expect((await alice.client.get(`/api/v1/api-keys/${ids.key}`)).status).toBe(200);
      expect((await alice.client.get(`/api/v1/notifications/${ids.note}`)).status).toBe(200);
    });

    it('keeps orders and their shipments to their customer', async () => {
      const suffix = Date.now().toString(36).toUpperCase();
      const wh = await admin.client.post('/api/v1/warehouses', {
        code: `S${suffix.slice(-5)}`,
        name: 'Security DC',
        latitude: -1.29,
        longitude: 36.82,
      });
      expect(wh.status, JSON.stringify(wh.body)).toBe(201);
      const product = await admin.client.post('/api/v1/products', {
        sku: `SEC-${suffix}`,
        name: 'Lock',
        price: { amount: 1000, currency: 'KES' },
      });
      expect(product.status).toBe(201);
      const stock = await admin.client.put(
        `/api/v1/products/${product.body.id}/stock/${wh.body.code}`,
        { quantity: 5 },
        await ifMatchOf(admin.client, `/api/v1/products/${product.body.id}`),
      );
      expect(stock.status).toBe(200);
      const cart = (await alice.client.post('/api/v1/carts', {})).body.id as string;
      await alice.client.post(`/api/v1/carts/${cart}/items`, { product_id: product.body.id, quantity: 1 });
      const order = await alice.client.post('/api/v1/orders', {
        cart_id: cart,
        shipping_address: { name: 'Alice', line1: '1 Road', city: 'Nairobi', country: 'KE' },
      });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      const shipment = await sys.eventually(
        async () => (await alice.client.get(`/api/v1/shipments?order_id=${order.body.id}`)).body.data?.[0],
      );
      for (const [method, path] of [
        ['GET', `/api/v1/orders/${order.body.id}`],
        ['POST', `/api/v1/orders/${order.body.id}/cancel`],
        ['GET', `/api/v1/shipments/${shipment.id}`],
        ['GET', `/api/v1/shipments/${shipment.id}/tracking`],
      ] as const) {
        const res = await mallory.client.request(method, path, method === 'POST' ? {} : undefined);
        expect([403, 404], `${method} ${path} → ${res.status}`).toContain(res.status);
      }
      const listed = await mallory.client.get(`/api/v1/shipments?order_id=${order.body.id}`);
      expect(JSON.stringify(listed.body)).not.toContain(shipment.id);
      expect((await alice.client.get(`/api/v1/orders/${order.body.id}`)).body.status).not.toBe('cancelled');
    });

    it('lists only the caller’s own records, whatever filter names another user', async () => {
      await alice.client.post('/api/v1/tasks', { title: 'Listed for alice' });
      for (const path of [
        `/api/v1/tasks?created_by=${alice.id}`,
        `/api/v1/api-keys?user_id=${alice.id}`,
        `/api/v1/notifications?user_id=${alice.id}`,
      ]) {
        const res = await mallory.client.get(path);
        const text = JSON.stringify(res.body);
        expect(text, path).not.toContain('Listed for alice');
        expect(text, path).not.toContain('"name":"alice"');
      }
    });

    it('hides user records from other users and changes nobody else’s roles', async () => {
      expect([403, 404]).toContain((await mallory.client.get(`/api/v1/users/${alice.id}`)).status);
      const res = await mallory.client.put(`/api/v1/users/${mallory.id}/roles`, { roles: ['admin'] });
      expectProblem('self-promotion', res, 403);
    });
  });

  describe('API3: object properties', () => {
    const INJECTED = {
      roles: ['admin'],
      is_admin: true,
      owner_id: '00000000-0000-7000-8000-00000000dead',
      created_by: '00000000-0000-7000-8000-00000000dead',
      user_id: '00000000-0000-7000-8000-00000000dead',
    };
    it('every documented write operation refuses fields it does not declare (mass assignment)', async () => {
      let tried = 0;
      for (const { method, template, op } of operations(doc)) {
        if (!['post', 'put', 'patch'].includes(method)) continue;
        const schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema || schema.$ref || schema.type !== 'object' || !schema.properties) continue;
        // Only the fields this operation does not declare.
        const body = Object.fromEntries(Object.entries(INJECTED).filter(([k]) => !(k in schema.properties!)));
        if (Object.keys(body).length === 0 || template.includes('/auth/')) continue;
        const res = await admin.client.request(method.toUpperCase(), fill(template), body);
        const what = `${method.toUpperCase()} ${template}`;
        expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`).toBe(422);
        const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
        // A path parameter refused first (the filler is not a valid warehouse code) also holds.
        const params = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        expect(
          fields.some((f) => f in body || params.includes(f)),
          `${what} names an injected field: ${fields.join(',')}`,
        ).toBe(true);
        tried++;
      }
      console.log(`mass assignment: ${tried} write operations refused undeclared fields`);
      expect(tried).toBeGreaterThan(30);
    });

    it('registration and profile changes cannot set roles, ids or status', async () => {
      for (const extra of [
        { roles: ['admin'] },
        { id: alice.id },
        { status: 'active', is_bootstrap: true },
      ]) {
        const res = await sys.anonymous.post('/api/v1/auth/register', {
          email: `mass-${Date.now()}-${Math.random()}@example.test`,
          password: 'a-perfectly-fine-passphrase',
          full_name: 'Mass',
          ...extra,
        });
        expectProblem(`register ${Object.keys(extra).join(',')}`, res, 422, 'validation_failed');
      }
      const res = await mallory.client.patch('/api/v1/auth/me', { full_name: 'M', roles: ['admin'] });
      expectProblem('PATCH /auth/me roles', res, 422, 'validation_failed');
      const me = await mallory.client.get('/api/v1/auth/me');
      expect(me.body.roles).toEqual(['user']);
      expect(JSON.stringify(me.body)).not.toMatch(/password|hash|argon/i);
    });
  });

  describe('API5: function-level authorization', () => {
    it('refuses a plain user every administrative operation with 403', async () => {
      const attempts: [string, string, unknown?][] = [
        ['GET', '/api/v1/users'],
        [
          'POST',
          '/api/v1/users',
          { email: 'x@example.test', password: 'a-perfectly-fine-passphrase', full_name: 'X' },
        ],
        ['GET', '/api/v1/audit-logs'],
        ['GET', '/api/v1/signing-keys'],
        ['POST', '/api/v1/signing-keys/rotate', {}],
        ['POST', '/api/v1/products', { sku: 'X-1', name: 'X', price: { amount: 1, currency: 'KES' } }],
        ['POST', '/api/v1/warehouses', { code: 'ZZZ', name: 'Z', latitude: 0, longitude: 0 }],
        ['GET', '/api/v1/notification-templates'],
        ['POST', '/api/v1/notifications/bulk', { role: 'user', title: 'x', body: 'y' }],
        ['POST', '/api/v1/finance/jobs/mark-overdue', {}],
      ];
      for (const [method, path, body] of attempts) {
        const res = await mallory.client.request(method, path, body);
        expect([403, 404], `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`).toContain(
          res.status,
        );
      }
    });
  });

  describe('API6: sensitive business flows', () => {
    it('registration answers a taken address exactly as a new one', async () => {
      const fresh = await sys.anonymous.post('/api/v1/auth/register', {
        email: `new-${Date.now()}@example.test`,
        password: 'a-perfectly-fine-passphrase',
        full_name: 'New',
      });
      const taken = await sys.anonymous.post('/api/v1/auth/register', {
        email: alice.email,
        password: 'a-perfectly-fine-passphrase',
        full_name: 'New',
      });
      expect(taken.status).toBe(fresh.status);
      expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
      expect(taken.body.id).not.toBe(alice.id);
      // The owner hears about it.
      await sys.eventually(async () =>
        ((await alice.client.get('/api/v1/notifications')).body.data as { type: string }[]).some(
          (n) => n.type === 'user.registration_attempted',
        ),
      );
    });

    it('login gives the same answer for an unknown email and a wrong password', async () => {
      const unknown = await sys.anonymous.post('/api/v1/auth/login', {
        email: `nobody-${Date.now()}@example.test`,
        password: 'whatever-it-is-123',
      });
      const wrong = await sys.anonymous.post('/api/v1/auth/login', {
        email: alice.email,
        password: 'whatever-it-is-123',
      });
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect({ ...unknown.body, request_id: 0 }).toEqual({ ...wrong.body, request_id: 0 });
    });

    it('a plain user cannot make the platform message another user through a task', async () => {
      const res = await mallory.client.post('/api/v1/tasks', { title: 'Free money', assignee_id: alice.id });
      expectProblem('assign another user', res, 403, 'forbidden');
    });
  });
});
