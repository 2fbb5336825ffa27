/**
 * `POST /api/v1/batch` through the gateway in front of the real services: each operation meets
 * its own route's policies (authentication with the batch's credentials, ownership, rate limits,
 * validation by the service), the answer keeps the operations' order, and an Idempotency-Key
 * replays the whole batch without creating anything twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

interface Result {
  status: number;
  headers: Record<string, string>;
  body: any;
}

describe.skipIf(skip)(`batch requests through the gateway (${systemMode})`, () => {
  let sys: System;
  let alice: Session;
  let bob: Session;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'tasks'] });
    [alice, bob] = await Promise.all([sys.signUp(), sys.signUp()]);
  }, 180_000);
  afterAll(() => sys?.stop());

  const remaining = (h: Headers | Record<string, string>) =>
    Number(h instanceof Headers ? h.get('x-ratelimit-remaining') : h['x-ratelimit-remaining']);
  const titlesOf = async (who: Session) =>
    ((await who.client.get('/api/v1/tasks?limit=100')).body.data as { title: string }[]).map((t) => t.title);

  it('runs [create, invalid create, list] in order as [201, 422, 200], each counted by the rate limit', async () => {
    const before = await alice.client.get('/api/v1/tasks');
    expect(before.status).toBe(200);
    const r0 = remaining(before.headers);
    expect(r0).toBeGreaterThan(10);

    const res = await alice.client.post('/api/v1/batch', {
      operations: [
        { method: 'POST', path: '/api/v1/tasks', body: { title: 'Batched task' } },
        { method: 'POST', path: '/api/v1/tasks', body: { priority: 'urgent-ish' } },
        { method: 'GET', path: '/api/v1/tasks?limit=100' },
      ],
    });
    expect(res.status).toBe(200);
    const results = res.body.results as Result[];
    expect(results.map((r) => r.status)).toEqual([201, 422, 200]);

    const [created, invalid, list] = results as [Result, Result, Result];
    expect(created.body).toMatchObject({ title: 'Batched task', created_by: alice.id });
    expect(created.headers.location).toBe(`/api/v1/tasks/${created.body.id}`);
    expect(invalid.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(invalid.body.code).toBe('validation_failed');
    expect((invalid.body.errors as { field: string }[]).map((e) => e.field)).toContain('title');
    // The list ran after the create: it sees the new task.
    expect((list.body.data as { id: string }[]).map((t) => t.id)).toContain(created.body.id);

    // Each operation counted once on the caller's limit, as three separate requests would.
    expect(results.map((r) => remaining(r.headers))).toEqual([r0 - 1, r0 - 2, r0 - 3]);
    const after = await alice.client.get('/api/v1/tasks');
    expect(remaining(after.headers)).toBe(r0 - 4);
  });

  it('replays a batch sent again with its Idempotency-Key: identical results, nothing created twice', async () => {
    const key = `batch-${Date.now()}`;
    const batch = {
      operations: [
        { method: 'POST', path: '/api/v1/tasks', body: { title: 'Exactly once' } },
        { method: 'GET', path: '/api/v1/tasks?limit=100' },
      ],
    };
    const first = await alice.client.post('/api/v1/batch', batch, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect((first.body.results as Result[]).map((r) => r.status)).toEqual([201, 200]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const again = await alice.client.post('/api/v1/batch', batch, { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await titlesOf(alice)).filter((t) => t === 'Exactly once')).toHaveLength(1);

    // The same key with another batch is refused, as for any POST.
    const other = await alice.client.post(
      '/api/v1/batch',
      { operations: [{ method: 'GET', path: '/api/v1/tasks' }] },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('gives each operation exactly what the caller would get alone: 401 anonymous, 404 for others’ tasks', async () => {
    const mine = await alice.client.post('/api/v1/tasks', { title: 'Alice only' });
    expect(mine.status).toBe(201);
    const byBob = await bob.client.post('/api/v1/batch', {
      operations: [
        { method: 'GET', path: `/api/v1/tasks/${mine.body.id}` },
        { method: 'DELETE', path: `/api/v1/tasks/${mine.body.id}` },
      ],
    });
    expect((byBob.body.results as Result[]).map((r) => [r.status, r.body.code])).toEqual([
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    expect((await alice.client.get(`/api/v1/tasks/${mine.body.id}`)).status).toBe(200);

    const anonymous = await sys.anonymous.post('/api/v1/batch', {
      operations: [{ method: 'GET', path: '/api/v1/tasks' }],
    });
    expect(anonymous.status).toBe(200);
    const [denied] = anonymous.body.results as [Result];
    expect([denied.status, denied.body.code]).toEqual([401, 'unauthenticated']);
    expect(denied.headers['www-authenticate']).toBe('Bearer realm="portico"');

    // A credential on the batch that does not verify refuses the whole batch, as it would any request.
    const forged = await sys.withToken('not-a-token').post('/api/v1/batch', {
      operations: [{ method: 'GET', path: '/api/v1/tasks' }],
    });
    expect([forged.status, forged.body.code]).toEqual([401, 'invalid_token']);
  });

  it('refuses more than 50 operations, nested batches and per-operation credentials with 422 naming the field', async () => {
    const get = { method: 'GET', path: '/api/v1/tasks' };
    const cases: [unknown, string][] = [
      [{ operations: Array.from({ length: 51 }, () => get) }, 'operations'],
      [{ operations: [] }, 'operations'],
      [
        { operations: [get, { method: 'POST', path: '/api/v1/batch', body: { operations: [get] } }] },
        'operations.1.path',
      ],
      [
        { operations: [{ ...get, headers: { Authorization: `Bearer ${bob.access_token}` } }] },
        'operations.0.headers.authorization',
      ],
      [{ operations: [{ method: 'TRACE', path: '/api/v1/tasks' }] }, 'operations.0.method'],
      [{ operations: [{ method: 'GET', path: '/metrics' }] }, 'operations.0.path'],
      [{ operations: [get], extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await alice.client.post('/api/v1/batch', body);
      expect(res.status, field).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('validation_failed');
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    const before = (await titlesOf(alice)).length;
    expect(before).toBeGreaterThan(0);
    // A refused batch runs none of its operations.
    await alice.client.post('/api/v1/batch', {
      operations: [{ method: 'POST', path: '/api/v1/tasks', body: { title: 'never' } }, { method: 'X' }],
    });
    expect((await titlesOf(alice)).length).toBe(before);
  });

  it('is described in /openapi.json', async () => {
    const doc = (await sys.anonymous.get('/openapi.json')).body;
    const op = doc.paths['/api/v1/batch']?.post;
    expect(op.requestBody.content['application/json'].schema.properties.operations.maxItems).toBe(50);
    expect(op.security).toEqual([{}, { bearerAuth: [] }, { apiKey: [] }]);
  });
});
