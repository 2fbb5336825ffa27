/**
 * One grammar for `Idempotency-Key` (shared with the gateway) and one opt-out per route:
 * `config: { idempotency: false }`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineService, isValidIdempotencyKey, Type } from '../src/index.ts';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '../src/testing/index.ts';

describe('the Idempotency-Key grammar', () => {
  it('accepts 1–255 characters of A-Z a-z 0-9 _ . : - and nothing else', () => {
    for (const ok of ['k', 'order-42', 'a.b:c_d', 'x'.repeat(255)])
      expect(isValidIdempotencyKey(ok)).toBe(true);
    for (const bad of ['', 'order/42', 'with space', 'é', 'x'.repeat(256), undefined, ['a']])
      expect(isValidIdempotencyKey(bad)).toBe(false);
  });
});

const skip = await matrixUnavailable();
let handled = 0;

const echo = defineService({
  name: 'echo',
  version: '1.0.0',
  migrations: [],
  routes(app) {
    const body = { schema: { body: Type.Object({ n: Type.Integer() }) } };
    const answer = async () => ({ handled: ++handled });
    app.post('/api/v1/keyed', body, answer);
    app.post('/api/v1/unkeyed', { ...body, config: { idempotency: false } }, answer);
    app.post('/api/v1/open', { ...body, config: { auth: 'optional' } }, answer);
  },
});

describe.skipIf(skip)(`Idempotency-Key on a service route (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([echo]);
  });
  afterAll(() => env?.stop());

  it('refuses a key outside the grammar with 422 naming the header, without running the handler', async () => {
    const before = handled;
    const res = await env
      .as('echo', userCaller('k-1'))
      .post('/api/v1/keyed', { n: 1 }, { 'idempotency-key': 'order/42' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors).toEqual([
      {
        field: 'Idempotency-Key',
        code: 'invalid_format',
        message: 'must be 1–255 characters of A-Z a-z 0-9 _ . : -',
      },
    ]);
    expect(handled).toBe(before);
  });

  it('ignores the key on a route with config.idempotency false: nothing checked, nothing replayed', async () => {
    const client = env.as('echo', userCaller('k-2'));
    const bad = await client.post('/api/v1/unkeyed', { n: 1 }, { 'idempotency-key': 'order/42' });
    expect(bad.status).toBe(200);
    const a = await client.post('/api/v1/unkeyed', { n: 1 }, { 'idempotency-key': 'same' });
    const b = await client.post('/api/v1/unkeyed', { n: 1 }, { 'idempotency-key': 'same' });
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.handled).toBe(a.body.handled + 1);
  });

  it('keeps two anonymous clients behind one gateway apart: the key is scoped by the address the passport vouches for', async () => {
    const anonymousFrom = (clientIp: string) =>
      env.as('echo', { id: null, roles: [], permissions: [], auth: 'anonymous', clientIp });
    const first = await anonymousFrom('203.0.113.7').post(
      '/api/v1/open',
      { n: 1 },
      { 'idempotency-key': 'anon-1' },
    );
    const other = await anonymousFrom('198.51.100.9').post(
      '/api/v1/open',
      { n: 2 },
      { 'idempotency-key': 'anon-1' },
    );
    expect([first.status, other.status]).toEqual([200, 200]);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.body.handled).toBe(first.body.handled + 1);
    const again = await anonymousFrom('203.0.113.7').post(
      '/api/v1/open',
      { n: 1 },
      { 'idempotency-key': 'anon-1' },
    );
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });
});
