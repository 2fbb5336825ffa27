/**
 * The plumbing services share through the kit, against the real engines: unique violations and
 * transient aborts read from SQLSTATE and constraint name, leased job claims, the polling
 * worker, and the ownership filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql, type Kysely } from 'kysely';
import {
  AppError,
  PollingWorker,
  claimDueJobs,
  isTransient,
  jsonb,
  isUniqueViolation,
  ownedOnly,
  requireUserId,
  retryTransient,
  translateUnique,
  uniqueViolation,
  type Jsonb,
} from '../src/index.ts';
import {
  matrixLabel,
  matrixUnavailable,
  openTestDatabase,
  userCaller,
  type TestDatabase,
} from '../src/testing/index.ts';

const skip = await matrixUnavailable();

interface Tables {
  members: { id: string; email: string; owner_id: string };
  documents: { id: string; tags: Jsonb<string[]>; meta: Jsonb<{ level: number } | null> };
  jobs: {
    id: string;
    status: string;
    next_attempt_at: Date;
    locked_until: Date | null;
    attempts: number;
  };
}

describe.skipIf(skip)(`kit plumbing (${matrixLabel})`, () => {
  let tdb: TestDatabase;
  let db: Kysely<Tables>;
  beforeAll(async () => {
    tdb = await openTestDatabase();
    db = (await tdb.provider.forService('plumbing')).db as Kysely<Tables>;
    await sql`create table members (id text primary key, email text not null, owner_id text not null,
              constraint members_email_key unique (email))`.execute(db);
    await sql`create table jobs (id text primary key, status text not null default 'pending',
              next_attempt_at timestamptz not null default now(), locked_until timestamptz,
              attempts int not null default 0)`.execute(db);
    await sql`create table documents (id text primary key, tags jsonb not null, meta jsonb)`.execute(db);
  });

  it('writes jsonb with jsonb() and reads it back parsed, arrays included', async () => {
    await db
      .insertInto('documents')
      .values({ id: 'd1', tags: jsonb(['a', 'b']), meta: jsonb({ level: 2 }) })
      .execute();
    await db
      .updateTable('documents')
      .set({ tags: jsonb(['c']) })
      .where('id', '=', 'd1')
      .execute();
    const row = await db.selectFrom('documents').selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual({ id: 'd1', tags: ['c'], meta: { level: 2 } });
    const typed = await sql<{ t: string }>`select jsonb_typeof(tags) as t from documents`.execute(db);
    expect(typed.rows[0]?.t).toBe('array');
  });
  afterAll(() => tdb?.cleanup());

  it('reads a unique violation and its constraint from the engine, and translates it to 409 naming the field', async () => {
    await db.insertInto('members').values({ id: 'm1', email: 'a@example.com', owner_id: 'u1' }).execute();
    const err = await db
      .insertInto('members')
      .values({ id: 'm2', email: 'a@example.com', owner_id: 'u2' })
      .execute()
      .catch((e: unknown) => e);
    expect(uniqueViolation(err)).toBe('members_email_key');
    expect(isUniqueViolation(err, 'members_email_key')).toBe(true);
    expect(isUniqueViolation(err, 'members_pkey')).toBe(false);
    expect(isTransient(err)).toBe(false);

    const translated = (() => {
      try {
        translateUnique(err, 'member', { members_email_key: 'email', members_pkey: 'id' });
      } catch (e) {
        return e;
      }
    })();
    expect(translated).toBeInstanceOf(AppError);
    const problem = translated as AppError;
    expect(problem.code).toBe('already_exists');
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'email', code: 'unique' })]);
    expect(JSON.stringify([problem.message, problem.errors])).not.toContain('members_email_key');

    // Anything that is not a unique violation passes through untouched.
    const other = new Error('boom');
    expect(() => translateUnique(other, 'member', 'email')).toThrow(other);
  });

  it('runs a transaction again after a deadlock-class abort, and not after other errors', async () => {
    let runs = 0;
    const out = await retryTransient(async () => {
      runs++;
      if (runs < 3) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return 'done';
    });
    expect([out, runs]).toEqual(['done', 3]);

    runs = 0;
    const unique = Object.assign(new Error('dup'), { code: '23505' });
    await expect(
      retryTransient(async () => {
        runs++;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(runs).toBe(1);

    runs = 0;
    await expect(
      retryTransient(
        async () => {
          runs++;
          throw Object.assign(new Error('serialization'), { code: '40001' });
        },
        { attempts: 2 },
      ),
    ).rejects.toThrow('serialization');
    expect(runs).toBe(2);
  });

  it('claims due jobs for a lease: two workers never get the same row, and an expired lease frees it', async () => {
    await sql`insert into jobs (id) select 'job-' || g from generate_series(1, 10) g`.execute(db);
    const [a, b] = await Promise.all([
      claimDueJobs<{ id: string; attempts: number }>(db, 'jobs', { limit: 6, leaseSeconds: 60 }),
      claimDueJobs<{ id: string; attempts: number }>(db, 'jobs', { limit: 6, leaseSeconds: 60 }),
    ]);
    const ids = [...a, ...b].map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(10);
    expect([...a, ...b].every((r) => r.attempts === 1)).toBe(true);
    expect(await claimDueJobs(db, 'jobs', { limit: 10, leaseSeconds: 60 })).toEqual([]);

    // A worker that died: its lease runs out and another takes the job, counting the attempt.
    await sql`update jobs set locked_until = now() - interval '1 second' where id = 'job-3'`.execute(db);
    const again = await claimDueJobs<{ id: string; attempts: number }>(db, 'jobs', {
      limit: 10,
      leaseSeconds: 60,
    });
    expect(again.map((r) => [r.id, r.attempts])).toEqual([['job-3', 2]]);
  });

  it('keeps a list to the caller’s rows unless an :all grant says otherwise', async () => {
    await db.insertInto('members').values({ id: 'm3', email: 'b@example.com', owner_id: 'u2' }).execute();
    const list = (caller: ReturnType<typeof userCaller>) =>
      ownedOnly(db.selectFrom('members').select('id').orderBy('id'), 'owner_id', caller, 'members:read')
        .execute()
        .then((rows) => rows.map((r) => r.id));
    const own = { ...userCaller('u2'), permissions: ['members:read:own'] };
    const all = { ...userCaller('admin'), permissions: ['members:read:all'] };
    expect(await list(own)).toEqual(['m3']);
    expect(await list(all)).toEqual(['m1', 'm3']);
    const anonymous = { ...own, id: null };
    expect(() => requireUserId(anonymous)).toThrow(AppError);
    expect(requireUserId({ caller: own })).toBe('u2');
  });
});

describe('PollingWorker', () => {
  const log = pino({ level: 'silent' });

  it('drains until a tick reports no work, never running two ticks at once', async () => {
    let queue = 7;
    let inTick = 0;
    let overlapped = false;
    const worker = new PollingWorker(
      'test',
      async () => {
        inTick++;
        if (inTick > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 2));
        queue = Math.max(0, queue - 2);
        inTick--;
        return queue > 0;
      },
      { pollMs: 10_000, log },
    );
    worker.start();
    worker.nudge();
    await worker.drain();
    worker.nudge();
    await worker.drain();
    await worker.stop();
    expect(queue).toBe(0);
    expect(overlapped).toBe(false);
  });

  it('keeps polling after a failed tick, and a stopped worker runs nothing more', async () => {
    let calls = 0;
    const worker = new PollingWorker(
      'flaky',
      async () => {
        calls++;
        if (calls === 1) throw new Error('database away');
        return false;
      },
      { pollMs: 5, log },
    );
    worker.start();
    await expect.poll(() => calls, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    await worker.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(after);
  });
});
