import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '../src/testing/index.ts';
import { notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`Idempotency-Key on service routes (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService]);
  });
  afterAll(() => env?.stop());

  it('replays the stored response for the same key and body, creating once', async () => {
    const client = env.as('notes', userCaller('idem-1'));
    const first = await client.post('/api/v1/notes', { body: 'once' }, { 'idempotency-key': 'key-1' });
    const again = await client.post('/api/v1/notes', { body: 'once' }, { 'idempotency-key': 'key-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    const all = await client.get('/api/v1/notes?limit=100');
    expect(all.body.data.filter((n: { owner_id: string }) => n.owner_id === 'idem-1')).toHaveLength(1);
  });

  it('answers 422 when the key is reused with another body', async () => {
    const client = env.as('notes', userCaller('idem-2'));
    await client.post('/api/v1/notes', { body: 'a' }, { 'idempotency-key': 'key-2' });
    const res = await client.post('/api/v1/notes', { body: 'b' }, { 'idempotency-key': 'key-2' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('idempotency_key_reused');
  });

  it('scopes keys per caller', async () => {
    const a = await env
      .as('notes', userCaller('idem-a'))
      .post('/api/v1/notes', { body: 'same' }, { 'idempotency-key': 'shared' });
    const b = await env
      .as('notes', userCaller('idem-b'))
      .post('/api/v1/notes', { body: 'same' }, { 'idempotency-key': 'shared' });
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('does not keep a failed (5xx) attempt, so the client can retry', async () => {
    const client = env.as('notes', userCaller('idem-3'));
    const failed = await client.post(
      '/api/v1/notes',
      { body: 'x', fail_after_write: true },
      { 'idempotency-key': 'key-3' },
    );
    expect(failed.status).toBe(500);
    const retried = await client.post(
      '/api/v1/notes',
      { body: 'x', fail_after_write: true },
      { 'idempotency-key': 'key-3' },
    );
    expect(retried.status).toBe(500);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const client = env.as('notes', userCaller('idem-4'));
    const slowBody = { body: 'slow' };
    // Two concurrent requests with one key: exactly one is processed, the other is told to wait.
    const [r1, r2] = await Promise.all([
      client.post('/api/v1/notes', slowBody, { 'idempotency-key': 'key-4' }),
      client.post('/api/v1/notes', slowBody, { 'idempotency-key': 'key-4' }),
    ]);
    const statuses = [r1.status, r2.status].sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    if (statuses[1] === 409)
      expect([r1, r2].find((r) => r.status === 409)!.body.code).toBe('idempotency_in_progress');
    const all = await client.get('/api/v1/notes?limit=100');
    expect(all.body.data.filter((n: { owner_id: string }) => n.owner_id === 'idem-4')).toHaveLength(1);
  });
});
