import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { EVERY_EVENT_TYPE, makeEvent, type EventBus } from '../src/index.ts';
import { startService, createLogger } from '../src/runtime/index.ts';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '../src/testing/index.ts';
import { countsService, failingOwners, notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`events: outbox, inbox and dead letters (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService, countsService]);
  });
  afterAll(() => env?.stop());

  const count = async (owner: string) =>
    (await env.as('counts', userCaller('x')).get(`/api/v1/counts/${owner}`)).body.n as number;
  const outboxRows = async () =>
    (
      await sql<{ n: number }>`select count(*)::int as n from kit_outbox`.execute(
        env.services.get('notes')!.deps.db,
      )
    ).rows[0]!.n;

  it('delivers an event committed with its row to the consumer once', async () => {
    const res = await env.as('notes', userCaller('ev-1')).post('/api/v1/notes', { body: 'a' });
    expect(res.status).toBe(201);
    await env.eventually(async () => (await count('ev-1')) === 1);
  });

  it('leaves no row and no event when the handler throws after writing', async () => {
    const before = await outboxRows();
    const res = await env
      .as('notes', userCaller('ev-2'))
      .post('/api/v1/notes', { body: 'x', fail_after_write: true });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toMatch(/boom|insert|kit_outbox|at .*\.ts/);
    expect(await outboxRows()).toBe(before);
    const list = await env.as('notes', userCaller('ev-2')).get('/api/v1/notes?limit=100');
    expect(list.body.data.filter((n: { owner_id: string }) => n.owner_id === 'ev-2')).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await count('ev-2')).toBe(0);
  });

  it('gives a broadcast subscription to every type each event, taking none from the durable consumers', async () => {
    const seen: string[] = [];
    const watch = await env.bus.subscribe(
      { consumer: 'watch-all', broadcast: true, types: [EVERY_EVENT_TYPE] },
      async (e) => void seen.push(`${e.type} ${e.subject ?? ''}`),
    );
    try {
      const res = await env.as('notes', userCaller('ev-all')).post('/api/v1/notes', { body: 'w' });
      await env.bus.publish(makeEvent('elsewhere', 'thing.happened', {}, { subject: 'ev-all-2' }));
      await env.eventually(async () => seen.includes('thing.happened ev-all-2'));
      await env.eventually(async () => seen.includes(`note.created ${res.body.id}`));
      await env.eventually(async () => (await count('ev-all')) === 1);
    } finally {
      await watch.stop();
    }
  });

  it('changes nothing when the same event is delivered twice', async () => {
    const event = makeEvent(
      'notes',
      'note.created',
      { note_id: 'n-dup', owner_id: 'ev-dup' },
      { subject: 'n-dup' },
    );
    await env.bus.publish(event);
    await env.bus.publish(event);
    await env.eventually(async () => (await count('ev-dup')) === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await count('ev-dup')).toBe(1);
  });

  it('dead-letters an event whose handler always fails, and replays it once the handler is fixed', async () => {
    failingOwners.add('ev-dlq');
    const event = makeEvent('notes', 'note.created', { note_id: 'n-dlq', owner_id: 'ev-dlq' });
    await env.bus.publish(event);
    const counts = env.services.get('counts')!;
    const [parked] = await env.eventually(async () => {
      const rows = await counts.deadLetters.list();
      const mine = rows.filter((d) => d.event_id === event.id);
      return mine.length ? mine : null;
    });
    expect(parked!.attempts).toBe(3);
    expect(parked!.consumer).toBe('counts.count-notes');
    expect(parked!.error).toContain('refusing ev-dlq');
    expect(await count('ev-dlq')).toBe(0);

    // Still failing: the replay throws and the letter stays parked, one more attempt counted.
    await expect(counts.deadLetters.replay(parked!.id)).rejects.toThrow('refusing ev-dlq');
    expect((await counts.deadLetters.list()).find((d) => d.id === parked!.id)).toMatchObject({
      status: 'parked',
      attempts: 4,
    });

    failingOwners.delete('ev-dlq');
    expect(await counts.deadLetters.replay(parked!.id)).toBe('replayed');
    expect(await count('ev-dlq')).toBe(1);
    expect((await counts.deadLetters.list()).some((d) => d.id === parked!.id)).toBe(false);
    // A second replay finds it replayed and changes nothing.
    expect(await counts.deadLetters.replay(parked!.id)).toBe('already_replayed');
    expect(await count('ev-dlq')).toBe(1);
  });
});

/** A bus that refuses every publish: the relay cannot send, as if the process died before it could. */
function deadBus(real: EventBus): EventBus {
  return {
    kind: real.kind,
    publish: async () => {
      throw new Error('bus unreachable');
    },
    subscribe: (...a) => real.subscribe(...a),
    broadcast: (...a) => real.broadcast(...a),
    onBroadcast: (...a) => real.onBroadcast(...a),
    isReady: () => false,
    close: async () => {},
  };
}

describe.skipIf(skip)(`events survive a crash between commit and relay (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([countsService]);
  });
  afterAll(() => env?.stop());

  it('relays the committed event after a restart', async () => {
    const logger = createLogger({ level: 'silent' });
    const base = { db: env.db, passportSecret: env.secret, logger, env: process.env };
    // First life: the request commits, the relay never gets the event out.
    const first = await startService(notesService, { ...base, bus: deadBus(env.bus) });
    const { httpClient } = await import('../src/testing/index.ts');
    const { mintPassport, derivePassportKey } = await import('../src/runtime/index.ts');
    const passport = () => ({
      'x-portico-passport': mintPassport(
        derivePassportKey(env.secret, 'notes'),
        'notes',
        userCaller('crash-1'),
      ).token,
    });
    const res = await httpClient(first.url, passport).post('/api/v1/notes', { body: 'survives' });
    expect(res.status).toBe(201);
    await first.stop();
    const counts = () => env.as('counts', userCaller('x')).get('/api/v1/counts/crash-1');
    expect((await counts()).body.n).toBe(0);

    // Second life on the same storage: the relay finds the row and delivers it, once.
    const second = await startService(notesService, { ...base, bus: env.bus });
    try {
      await env.eventually(async () => (await counts()).body.n === 1);
      await second.flushOutbox();
      expect((await counts()).body.n).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
