/**
 * The system suite's smoke subset against a running deployment (deploy/test.sh starts the compose
 * platform and sets the variables): register and log in, an order through to its shipment and
 * the customer's notification, and a task. Skipped without PORTICO_DEPLOY_URL.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';

const base = process.env.PORTICO_DEPLOY_URL;
const adminEmail = process.env.PORTICO_DEPLOY_ADMIN_EMAIL ?? 'admin@portico.local';
const adminPassword = process.env.PORTICO_DEPLOY_ADMIN_PASSWORD ?? '';

interface Reply {
  status: number;
  etag: string | null;
  body: any;
}
interface Session {
  id: string;
  email: string;
  password: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

/**
 * One call, retried like a well-behaved client on 503 (RFC 9110 §15.6.4: nothing was done, try
 * again later): on a loaded machine a container's dependency check can time out for a moment.
 */
async function request(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status === 503 && attempt < 10) {
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : null };
  }
}

async function login(email: string, password: string): Promise<Session> {
  const res = await request('POST', '/api/v1/auth/login', { email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const auth = { authorization: `Bearer ${res.body.access_token as string}` };
  return {
    id: res.body.user.id,
    email,
    password,
    call: (method, path, body, headers = {}) => request(method, path, body, { ...auth, ...headers }),
  };
}

async function signUp(): Promise<Session> {
  const n = randomBytes(5).toString('hex');
  const email = `smoke-${n}@example.test`;
  const password = `Pw-${randomBytes(12).toString('base64url')}`;
  const res = await request('POST', '/api/v1/auth/register', { email, password, full_name: `Smoke ${n}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return login(email, password);
}

/** Polls until `check` returns a value; the deployment's event chain is asynchronous. */
async function eventually<T>(check: () => Promise<T | undefined | null | false>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The gateway allows 5 registrations per IP per 10 minutes: three users serve every test.
describe.skipIf(!base)('the compose deployment through its gateway', () => {
  let alice: Session;
  beforeAll(async () => {
    alice = await signUp();
  });

  it('registers and logs in; a wrong password is refused with a problem', async () => {
    expect((await alice.call('GET', '/api/v1/auth/me')).body).toMatchObject({ email: alice.email });
    const wrong = await request('POST', '/api/v1/auth/login', {
      email: alice.email,
      password: 'not-it-at-all',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toEqual(expect.any(String));
  });

  it('takes an order to a shipment and tells the customer', async () => {
    const admin = await login(adminEmail, adminPassword);
    const staffUser = await signUp();
    expect(
      (await admin.call('PUT', `/api/v1/users/${staffUser.id}/roles`, { roles: ['staff'] })).status,
    ).toBe(200);
    const staff = await login(staffUser.email, staffUser.password);

    const wh = await staff.call('POST', '/api/v1/warehouses', {
      code: 'NBO',
      name: 'Nairobi DC',
      latitude: -1.2921,
      longitude: 36.8219,
    });
    expect([201, 409]).toContain(wh.status);
    const product = await staff.call('POST', '/api/v1/products', {
      sku: `SMOKE-${randomBytes(4).toString('hex')}`,
      name: 'Kiondo basket',
      price: { amount: 250000, currency: 'KES' },
    });
    expect(product.status).toBe(201);
    expect(
      (
        await staff.call(
          'PUT',
          `/api/v1/products/${product.body.id}/stock/NBO`,
          { quantity: 3 },
          // Stock is set through its product, whose writes require If-Match.
          { 'if-match': (await staff.call('GET', `/api/v1/products/${product.body.id}`)).etag ?? '' },
        )
      ).status,
    ).toBe(200);

    const cart = await alice.call('POST', '/api/v1/carts', {});
    expect(cart.status).toBe(201);
    const item = { product_id: product.body.id, quantity: 1 };
    expect((await alice.call('POST', `/api/v1/carts/${cart.body.id}/items`, item)).status).toBe(201);
    const placed = await alice.call(
      'POST',
      '/api/v1/orders',
      {
        cart_id: cart.body.id,
        shipping_address: { name: 'Wanjiku Kamau', line1: '12 Moi Avenue', city: 'Nairobi', country: 'KE' },
      },
      { 'idempotency-key': `smoke-${randomBytes(6).toString('hex')}` },
    );
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    expect(placed.body).toMatchObject({
      customer_id: alice.id,
      status: 'confirmed',
      total: { amount: 250000, currency: 'KES' },
    });
    const orderId = placed.body.id as string;

    const shipment = await eventually(
      async () => (await alice.call('GET', `/api/v1/shipments?order_id=${orderId}`)).body?.data?.[0],
    );
    expect(shipment).toMatchObject({ order_id: orderId, status: 'pending', origin: { code: 'NBO' } });
    const notice = await eventually(async () =>
      (
        (await alice.call('GET', '/api/v1/notifications?limit=100')).body?.data as {
          type?: string;
          title: string;
          body: string;
        }[]
      )?.find(
        (n) =>
          (n.type === 'order.confirmed' || /order confirmed/i.test(n.title)) &&
          n.body.includes(orderId.slice(-8)),
      ),
    );
    expect(notice.body).toContain(orderId.slice(-8));
  });

  it('creates a task and moves it through start and complete', async () => {
    const bob = await signUp();
    const created = await bob.call('POST', '/api/v1/tasks', { title: 'Smoke task', priority: 'high' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', created_by: bob.id });
    expect((await bob.call('POST', `/api/v1/tasks/${created.body.id}/start`)).body.status).toBe(
      'in_progress',
    );
    expect((await bob.call('POST', `/api/v1/tasks/${created.body.id}/complete`)).body.status).toBe(
      'completed',
    );
    expect((await bob.call('GET', `/api/v1/tasks/${created.body.id}`)).body.status).toBe('completed');
  });
});
