import { sql } from 'kysely';
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

describe.skipIf(skip)(`Idempotency-Key leases (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService]);
  });
  afterAll(() => env?.stop());
  const db = () => env.services.get('notes')!.deps.db;
  const mine = async (owner: string) =>
    (await env.as('notes', userCaller(owner)).get('/api/v1/notes?limit=100')).body.data.filter(
      (n: { owner_id: string }) => n.owner_id === owner,
    );

  it('answers a retry after a crash between commit and answer with the committed note, once', async () => {
    const client = env.as('notes', userCaller('lease-1'));
    const first = await client.post('/api/v1/notes', { body: 'kept' }, { 'idempotency-key': 'lease-key-1' });
    expect(first.status).toBe(201);
    // What the crash leaves: the note committed, the key unfinished; here its lease has expired.
    await sql`update kit_idempotency set state = 'in_progress', status_code = null, body = null,
              locked_until = now() - interval '1 second' where key = 'lease-key-1'`.execute(db());
    const retry = await client.post('/api/v1/notes', { body: 'kept' }, { 'idempotency-key': 'lease-key-1' });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await mine('lease-1')).toHaveLength(1);
    const again = await client.post('/api/v1/notes', { body: 'kept' }, { 'idempotency-key': 'lease-key-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('answers 409 with Retry-After while a live lease is held, and takes it over once it expires', async () => {
    const client = env.as('notes', userCaller('lease-2'));
    await sql`insert into kit_idempotency (caller, key, method, path, request_hash, state, owner, locked_until)
              values ('lease-2', 'lease-key-2', 'POST', '/api/v1/notes', 'x', 'in_progress', 'dead', now() + interval '1 hour')`.execute(
      db(),
    );
    // The stored hash is another request's: a live lease answers 422 for a different body…
    const other = await client.post('/api/v1/notes', { body: 'n' }, { 'idempotency-key': 'lease-key-2' });
    expect(other.status).toBe(422);
    const first = await client.post('/api/v1/notes', { body: 'n' }, { 'idempotency-key': 'lease-key-3' });
    await sql`update kit_idempotency set state = 'in_progress', status_code = null, body = null, steps = null,
              owner = 'dead', locked_until = now() + interval '1 hour' where key = 'lease-key-3'`.execute(
      db(),
    );
    await sql`delete from notes where id = ${first.body.id}`.execute(db());
    const busy = await client.post('/api/v1/notes', { body: 'n' }, { 'idempotency-key': 'lease-key-3' });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('idempotency_in_progress');
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(1000);
    // …and once the holder's lease runs out, the retry runs the work (nothing was committed).
    await sql`update kit_idempotency set locked_until = now() where key = 'lease-key-3'`.execute(db());
    const done = await client.post('/api/v1/notes', { body: 'n' }, { 'idempotency-key': 'lease-key-3' });
    expect(done.status).toBe(201);
    expect(await mine('lease-2')).toHaveLength(1);
  });

  it('rolls back an attempt whose lease a retry took over: the work commits once', async () => {
    const client = env.as('notes', userCaller('lease-3'));
    // The first attempt's lease is taken over while it runs (its owner changes under it).
    const first = client.post(
      '/api/v1/notes',
      { body: 'fenced', delay_ms: 400 },
      { 'idempotency-key': 'lease-key-4' },
    );
    await env.eventually(async () => {
      const r =
        await sql`update kit_idempotency set owner = 'usurper' where key = 'lease-key-4' returning key`.execute(
          db(),
        );
      return r.rows.length === 1;
    });
    const res = await first;
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('idempotency_in_progress');
    expect(await mine('lease-3')).toHaveLength(0);
  });
});
