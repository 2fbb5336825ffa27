import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CompiledQuery,
  sql,
  type Kysely,
  type KyselyPlugin,
  type QueryId,
  type RootOperationNode,
} from 'kysely';
import { kitMigrations } from '../src/db/kit-migrations.ts';
import { paginate } from '../src/index.ts';
import { runMigrations } from '../src/db/migrations.ts';
import { asEventWork } from '../src/db/database.ts';
import {
  matrixLabel,
  matrixUnavailable,
  openTestDatabase,
  startTestServices,
  testDbKind,
  userCaller,
  type TestDatabase,
  type TestServices,
} from '../src/testing/index.ts';
import { countsService, notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`cursor pagination (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService]);
    const db = env.services.get('notes')!.deps.db;
    // 10,000 rows in bulk (the route is not the point here).
    await sql`insert into notes (id, owner_id, body)
              select 'bulk-' || lpad(g::text, 5, '0'), 'pager', 'row ' || g from generate_series(1, 10000) g`.execute(
      db,
    );
  });
  afterAll(() => env?.stop());

  it('returns each of 10,000 rows exactly once, in order, while rows are being inserted', async () => {
    const client = env.as('notes', userCaller('pager'));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let inserted = 0;
    do {
      const res: { status: number; headers: Headers; body: any } = await client.get(
        `/api/v1/notes?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      for (const n of res.body.data) seen.push(n.seq);
      cursor = res.body.next_cursor;
      if (cursor) expect(res.headers.get('link')).toContain('rel="next"');
      if (pages++ % 10 === 0) {
        // Concurrent writers: new rows land at the end and must not shift or repeat a page.
        await client.post('/api/v1/notes', { body: `during paging ${inserted++}` });
      }
    } while (cursor);
    const sorted = [...seen].sort((a, b) => a - b);
    expect(seen).toEqual(sorted);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(10_000);
    expect(seen.length).toBeLessThanOrEqual(10_000 + inserted + 20);
  });

  it('reads a deep page through the keyset index, not by skipping or sorting rows', async () => {
    const db = env.services.get('notes')!.deps.db;
    // 10,000 more rows (20,000 in all), and fresh statistics, so the planner weighs a real table.
    await sql`insert into notes (id, owner_id, body)
              select 'deep-' || lpad(g::text, 5, '0'), 'deep', 'row ' || g from generate_series(1, 10000) g`.execute(
      db,
    );
    await sql`analyze notes`.execute(db);
    const { max } = await db
      .selectFrom('notes')
      .select((eb) => eb.fn.max<string>('seq').as('max'))
      .executeTakeFirstOrThrow();
    // A cursor this list issued, 50 rows before the end: the last row of a page that starts 150 from the end.
    const near = await paginate(
      db
        .selectFrom('notes')
        .selectAll()
        .where('seq', '>', Number(max) - 150),
      { limit: 100, sort: 'seq', direction: 'asc' },
    );
    const cursor = near.next_cursor!;

    // The statement paginate() itself compiles for the deep page, with its parameters.
    const deep = await capturedQuery(db, (withCapture) =>
      paginate(withCapture.selectFrom('notes').selectAll(), {
        limit: 100,
        cursor,
        sort: 'seq',
        direction: 'asc',
      }),
    );
    expect(deep.result.data.map((r) => Number((r as { seq: number }).seq))).toEqual(
      Array.from({ length: 50 }, (_, i) => Number(max) - 49 + i),
    );
    expect(deep.result.has_more).toBe(false);

    const plan = await explainAnalyze(db, deep.compiled);
    const nodes = planNodes(plan);
    const described = JSON.stringify(plan, null, 1);
    // No full-table read and no sort of it: the order comes from the index.
    expect(
      nodes.map((n) => n['Node Type']),
      described,
    ).not.toContain('Seq Scan');
    expect(
      nodes.map((n) => n['Node Type']),
      described,
    ).not.toContain('Sort');
    expect(plan['Node Type'], described).toBe('Limit');
    const scan = nodes.find((n) => n['Index Name'] === 'notes_keyset');
    expect(scan?.['Node Type'], described).toMatch(/^Index (Only )?Scan$/);
    // The row-value (keyset) predicate is the index condition: the scan starts at the cursor…
    expect(scan!['Index Cond'], described).toMatch(/ROW\(seq, id\) > ROW\(/);
    // …so it reads only the rows it returns (plus the one that tells has_more), none skipped or filtered out.
    expect(Number(scan!['Actual Rows']), described).toBeLessThanOrEqual(101);
    expect(Number(scan!['Rows Removed by Filter'] ?? 0), described).toBe(0);
  });

  it('pages exactly on microsecond timestamps and refuses a cursor issued for another sort', async () => {
    const db = env.services.get('notes')!.deps.db;
    // 50 rows one microsecond apart: millisecond cursors would skip or repeat them.
    await sql`insert into notes (id, owner_id, body, created_at)
              select 'us-' || lpad(g::text, 3, '0'), 'micro', 'x', timestamptz '2026-01-01 00:00:00' + g * interval '1 microsecond'
              from generate_series(1, 50) g`.execute(db);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await paginate(db.selectFrom('notes').selectAll().where('owner_id', '=', 'micro'), {
        limit: 7,
        cursor,
        sort: 'created_at',
        direction: 'desc',
      });
      ids.push(...page.data.map((r) => (r as { id: string }).id));
      expect(page.data.every((r) => !('__portico_cursor_sort' in (r as object)))).toBe(true);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => `us-${String(50 - i).padStart(3, '0')}`));

    const first = await paginate(db.selectFrom('notes').selectAll().where('owner_id', '=', 'micro'), {
      limit: 5,
      sort: 'created_at',
    });
    await expect(
      paginate(db.selectFrom('notes').selectAll(), { limit: 5, sort: 'seq', cursor: first.next_cursor! }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('rejects a limit out of range and a forged cursor with 422 naming the field', async () => {
    const client = env.as('notes', userCaller('pager'));
    const big = await client.get('/api/v1/notes?limit=101');
    expect(big.status).toBe(422);
    expect(big.body.errors[0].field).toBe('limit');
    const forged = await client.get('/api/v1/notes?cursor=not-a-cursor');
    expect(forged.status).toBe(422);
    expect(forged.body.errors[0].field).toBe('cursor');
  });
});

describe.skipIf(skip)(`service data isolation (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService, countsService]);
  });
  afterAll(() => env?.stop());

  it("cannot read another service's tables", async () => {
    const res = await env.as('notes', userCaller('spy')).get('/api/v1/peek/counts');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toMatch(/permission|relation|counts\.counts|select/i);
  });

  it("cannot write another service's tables through raw SQL either", async () => {
    const notesDb = env.services.get('notes')!.deps.db;
    await expect(
      sql`insert into counts.counts (owner_id, n) values ('spy', 1)`.execute(notesDb),
    ).rejects.toThrow();
    await expect(sql`select * from counts.kit_outbox`.execute(notesDb)).rejects.toThrow();
  });
});

describe.skipIf(skip)(`migrations (${matrixLabel})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase();
  });
  afterAll(() => t?.cleanup());

  it('apply once when two replicas start at the same time', async () => {
    const a = await t.provider.forService('replica-test');
    const b = testDbKind === 'postgres' ? await t.provider.forService('replica-test') : a;
    const migrations = [
      ...kitMigrations,
      { name: '001_things', sql: 'create table things (id text primary key);' },
    ];
    const [ra, rb] = await Promise.all([runMigrations(a, migrations), runMigrations(b, migrations)]);
    expect([...ra, ...rb].sort()).toEqual(migrations.map((m) => m.name).sort());
    expect(await runMigrations(a, migrations)).toEqual([]);
    if (b !== a) await b.close();
    await a.close();
  });
});

// Only PGlite has one connection for every service: the PostgreSQL cells have nothing to test here.
if (testDbKind === 'pglite')
  describe.skipIf(skip)(`the one PGlite connection (${matrixLabel})`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await openTestDatabase('pglite');
    });
    afterAll(() => t?.cleanup());

    it('goes to the event chain’s work before request work that waited longer', async () => {
      const { db } = await t.provider.forService('lock-order');
      let releaseHolder!: () => void;
      const held = new Promise<void>((r) => (releaseHolder = r));
      let holding!: () => void;
      const started = new Promise<void>((r) => (holding = r));
      const holder = db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        holding();
        await held;
      });
      await started;
      const order: string[] = [];
      const run = (name: string) => sql`select 1`.execute(db).then(() => void order.push(name));
      const waiting = [run('request 1'), run('request 2'), asEventWork(() => run('event')), run('request 3')];
      await new Promise((r) => setTimeout(r, 20)); // all four are queued behind the transaction
      releaseHolder();
      await holder;
      await Promise.all(waiting);
      expect(order).toEqual(['event', 'request 1', 'request 2', 'request 3']);
    });
  });

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Runs `run` against a database that records the first statement sent, compiled as it was sent. */
async function capturedQuery<R>(
  db: Kysely<any>,
  run: (withCapture: Kysely<any>) => Promise<R>,
): Promise<{ result: R; compiled: CompiledQuery }> {
  let sent: { node: RootOperationNode; queryId: QueryId } | undefined;
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      sent ??= { node: args.node, queryId: args.queryId };
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const result = await run(db.withPlugin(capture));
  if (!sent) throw new Error('no statement was sent');
  return { result, compiled: db.getExecutor().compileQuery(sent.node, sent.queryId) };
}

/** EXPLAIN ANALYZE of a compiled statement (same SQL, same parameters): its root plan node. */
async function explainAnalyze(db: Kysely<any>, query: CompiledQuery): Promise<PlanNode> {
  const { rows } = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(`explain (analyze, format json) ${query.sql}`, [...query.parameters]),
  );
  const raw = Object.values(rows[0]!)[0];
  const doc = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  return doc[0].Plan;
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}
