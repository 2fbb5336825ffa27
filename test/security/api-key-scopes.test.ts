/**
 * OWASP API5 (broken function-level authorization): every route an API key can reach needs a
 * scope, checked in one place at the gateway. Iterates over every operation of the gateway's
 * /openapi.json with keys scoped for something else and asserts 403 problem+json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from '../system/harness.ts';
import {
  ALL_SERVICES,
  apiKey,
  expectProblem,
  fill,
  keyClient,
  operations,
  type OpenApiDoc,
} from './platform.ts';

const skip = await systemUnavailable();

describe.skipIf(skip)(`API-key scopes on every route (${systemMode})`, () => {
  let sys: System;
  let user: Session;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    sys = await startSystem({ services: ALL_SERVICES });
    user = await sys.signUp();
    doc = (await sys.anonymous.get('/openapi.json')).body as OpenApiDoc;
  }, 180_000);
  afterAll(() => sys?.stop());

  const isProducts = (t: string) => t === '/api/v1/products' || t.startsWith('/api/v1/products/');

  it('a products:read key is refused on every other operation, and on every product write', async () => {
    const key = keyClient(sys, await apiKey(user, ['products:read']));
    let refused = 0;
    let admitted = 0;
    for (const { method, template, op } of operations(doc)) {
      // Public operations (login, register, refresh, JWKS) take no credential at all.
      if (Array.isArray(op.security) && op.security.length === 0) continue;
      const m = method.toUpperCase();
      const res = await key.request(m, fill(template), m === 'GET' || m === 'HEAD' ? undefined : {});
      const what = `${m} ${template}`;
      // The gateway's refusal names the key; a service's own 403 (stock:read) does not.
      const byGateway = /API key/.test(String((res.body as { detail?: string } | null)?.detail));
      if (isProducts(template) && (m === 'GET' || m === 'HEAD')) {
        expect(byGateway, what).toBe(false);
        admitted++;
      } else {
        if (m === 'HEAD') expect(res.status, what).toBe(403);
        else {
          expectProblem(what, res, 403, 'forbidden');
          expect(byGateway, what).toBe(true);
        }
        refused++;
      }
    }
    console.log(`api-key scopes: ${refused} operations refused, ${admitted} admitted (product reads)`);
    expect(admitted).toBeGreaterThanOrEqual(2);
    expect(refused).toBeGreaterThan(100);
  });

  it("a key never reaches its owner's account: profile and password", async () => {
    const key = keyClient(sys, await apiKey(user, ['products:read', 'orders:read:own']));
    expectProblem('GET /auth/me', await key.request('GET', '/api/v1/auth/me'), 403, 'forbidden');
    expectProblem(
      'PATCH /auth/me',
      await key.request('PATCH', '/api/v1/auth/me', { full_name: 'Owned by a key' }),
      403,
      'forbidden',
    );
    expectProblem(
      'POST /auth/password',
      await key.request('POST', '/api/v1/auth/password', {
        current_password: user.password,
        new_password: 'a-brand-new-passphrase-9',
      }),
      403,
      'forbidden',
    );
    // Even a key with every scope its owner holds cannot change the password.
    const all = keyClient(sys, await apiKey(user, ['profile:*:own', 'products:read']));
    expect((await all.request('GET', '/api/v1/auth/me')).status).toBe(200);
    expectProblem(
      'POST /auth/password (full key)',
      await all.request('POST', '/api/v1/auth/password', {
        current_password: user.password,
        new_password: 'a-brand-new-passphrase-9',
      }),
      403,
      'forbidden',
    );
    // The profile is unchanged and the password still works.
    const me = await user.client.get('/api/v1/auth/me');
    expect(me.body.full_name).not.toBe('Owned by a key');
    expect((await sys.login(user.email, user.password)).id).toBe(user.id);
  });

  it('a key with the scope passes the gateway; a read-only key cannot write', async () => {
    const reader = keyClient(sys, await apiKey(user, ['tasks:read:own']));
    const writer = keyClient(sys, await apiKey(user, ['tasks:*:own']));
    expect((await reader.request('GET', '/api/v1/tasks')).status).toBe(200);
    expectProblem('read-only POST', await reader.request('POST', '/api/v1/tasks', { title: 'x' }), 403);
    const created = await writer.request('POST', '/api/v1/tasks', { title: 'Written with a key' });
    expect(created.status).toBe(201);
  });
});
