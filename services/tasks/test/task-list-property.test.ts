/**
 * Property: for any filter + sort + page size, paging through GET /api/v1/tasks returns exactly
 * the tasks the same filter and sort select in memory — same set, same order, no duplicates,
 * no gaps — for every kind of viewer (creator, assignee, bystander, admin).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import { PRIORITIES, priorityRank, type Priority } from '../src/domain/priority.ts';
import { TASK_SORTS, type TaskSort } from '../src/domain/task-sort.ts';
import { TASK_STATUSES, isOverdue, type TaskStatus } from '../src/domain/task-state.ts';
import tasksService from '../src/service.ts';
import { asAdmin, asUser, expectOk, newUserId } from './helpers.ts';

const skip = await matrixUnavailable();

interface PublicTask {
  id: string;
  status: TaskStatus;
  priority: Priority;
  category_id: string | null;
  due_at: string | null;
  assignee_id: string | null;
  created_by: string;
  created_at: string;
}

interface Query {
  viewer: number; // index into viewers; the last one is the admin
  status?: TaskStatus | undefined;
  priority?: Priority | undefined;
  category?: number | undefined;
  assignee?: number | undefined;
  creator?: number | undefined;
  due_before?: number | undefined;
  overdue?: boolean | undefined;
  sort?: TaskSort | undefined;
  limit: number;
}

const DAY = 86_400_000;
// Due dates come from a small pool (ties exercise the id tie-breaker) and are all at least 20
// hours from now, so "overdue" cannot flip while the test runs.
const DUE_OFFSETS = [-9 * DAY, -2 * DAY, -DAY + 3_600_000, DAY, 3 * DAY + 1, 12 * DAY];
const PATHS: string[][] = [
  [],
  ['start'],
  ['start', 'complete'],
  ['cancel'],
  ['start', 'cancel'],
  ['start', 'complete', 'reopen'],
];
const SEED = Number(process.env.TASKS_PROPERTY_SEED ?? Date.now() % 2 ** 31);

/** `arb` one time in five, otherwise undefined: most queries combine one or two filters. */
const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: arb, weight: 1 });

describe.skipIf(skip)(`task list filters and sorting (${matrixLabel}, seed ${SEED})`, () => {
  let env: TestServices;
  const users = [newUserId('ann'), newUserId('ben'), newUserId('cat'), newUserId('dan')];
  const categories: string[][] = []; // per creator (ann, ben, cat): two categories each
  const dueDates: string[] = [];
  const tasks = new Map<string, PublicTask>();
  const now = Date.now();

  beforeAll(async () => {
    env = await startTestServices([tasksService]);
    for (const offset of DUE_OFFSETS)
      dueDates.push(new Date(Math.floor((now + offset) / 1000) * 1000).toISOString());
    for (const u of users.slice(0, 3)) {
      const mine: string[] = [];
      for (const n of [1, 2])
        mine.push(
          expectOk(await asUser(env, u).post('/api/v1/categories', { name: `c${n}`, color: '#0A0B0C' }), 201)
            .id,
        );
      categories.push(mine);
    }
    const taskArb = fc.record({
      creator: fc.integer({ min: 0, max: 2 }),
      priority: fc.option(fc.constantFrom(...PRIORITIES), { nil: undefined }),
      due: fc.option(fc.integer({ min: 0, max: DUE_OFFSETS.length - 1 }), { nil: null, freq: 4 }),
      assignee: fc.option(fc.integer({ min: 0, max: users.length - 1 }), { nil: null, freq: 3 }),
      category: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null, freq: 3 }),
      path: fc.integer({ min: 0, max: PATHS.length - 1 }),
      actor: fc.boolean(), // who moves it: the creator or (when there is one) the assignee
    });
    const [specs] = fc.sample(fc.array(taskArb, { minLength: 45, maxLength: 60 }), {
      numRuns: 1,
      seed: SEED,
    });
    for (const s of specs!) {
      const creator = asUser(env, users[s.creator]!);
      let task: PublicTask = expectOk(
        await creator.post('/api/v1/tasks', {
          title: `task ${tasks.size}`,
          ...(s.priority && { priority: s.priority }),
          due_at: s.due === null ? null : dueDates[s.due],
          assignee_id: s.assignee === null ? null : users[s.assignee],
          category_id: s.category === null ? null : categories[s.creator]![s.category],
        }),
        201,
      );
      const mover = s.actor && s.assignee !== null ? asUser(env, users[s.assignee]!) : creator;
      for (const action of PATHS[s.path]!)
        task = expectOk(await mover.post(`/api/v1/tasks/${task.id}/${action}`));
      tasks.set(task.id, task);
    }
  });
  afterAll(() => env?.stop());

  function expected(q: Query): string[] {
    const viewer = users[q.viewer];
    const dueBefore = q.due_before === undefined ? undefined : Date.parse(dueDates[q.due_before]!);
    const at = new Date();
    const rows = [...tasks.values()].filter(
      (t) =>
        (viewer === undefined || t.created_by === viewer || t.assignee_id === viewer) &&
        (q.status === undefined || t.status === q.status) &&
        (q.priority === undefined || t.priority === q.priority) &&
        (q.category === undefined || t.category_id === categories.flat()[q.category]) &&
        (q.assignee === undefined || t.assignee_id === users[q.assignee]) &&
        (q.creator === undefined || t.created_by === users[q.creator]) &&
        (dueBefore === undefined || (t.due_at !== null && Date.parse(t.due_at) < dueBefore)) &&
        (q.overdue === undefined ||
          isOverdue({ status: t.status, due_at: t.due_at === null ? null : new Date(t.due_at) }, at) ===
            q.overdue),
    );
    const sort = q.sort ?? '-created_at';
    const desc = sort.startsWith('-');
    const key = (t: PublicTask): number => {
      switch (desc ? sort.slice(1) : sort) {
        case 'due_at':
          return t.due_at === null ? Infinity : Date.parse(t.due_at);
        case 'priority':
          return priorityRank(t.priority);
        default:
          return Date.parse(t.created_at);
      }
    };
    rows.sort((a, b) => {
      const c = key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      return desc ? -c : c;
    });
    return rows.map((t) => t.id);
  }

  function url(q: Query, cursor?: string): string {
    const p = new URLSearchParams({ limit: String(q.limit) });
    if (q.status) p.set('status', q.status);
    if (q.priority) p.set('priority', q.priority);
    if (q.category !== undefined) p.set('category_id', categories.flat()[q.category]!);
    if (q.assignee !== undefined) p.set('assignee_id', users[q.assignee]!);
    if (q.creator !== undefined) p.set('created_by', users[q.creator]!);
    if (q.due_before !== undefined) p.set('due_before', dueDates[q.due_before]!);
    if (q.overdue !== undefined) p.set('overdue', String(q.overdue));
    if (q.sort) p.set('sort', q.sort);
    if (cursor) p.set('cursor', cursor);
    return `/api/v1/tasks?${p}`;
  }

  const queryArb: fc.Arbitrary<Query> = fc.record({
    // users.length means the admin, who sees every task: half the queries.
    viewer: fc.oneof(fc.integer({ min: 0, max: users.length - 1 }), fc.constant(users.length)),
    status: sometimes(fc.constantFrom(...TASK_STATUSES)),
    priority: sometimes(fc.constantFrom(...PRIORITIES)),
    category: sometimes(fc.integer({ min: 0, max: 5 })),
    assignee: sometimes(fc.integer({ min: 0, max: users.length - 1 })),
    creator: sometimes(fc.integer({ min: 0, max: 2 })),
    due_before: sometimes(fc.integer({ min: 0, max: DUE_OFFSETS.length - 1 })),
    overdue: sometimes(fc.boolean()),
    sort: fc.option(fc.constantFrom(...TASK_SORTS), { nil: undefined, freq: 7 }),
    limit: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 100 })),
  });

  it('pages through exactly the matching tasks in the requested order', async () => {
    expect(tasks.size).toBeGreaterThanOrEqual(45);
    await fc.assert(
      fc.asyncProperty(queryArb, async (q) => {
        const client = q.viewer === users.length ? asAdmin(env) : asUser(env, users[q.viewer]!);
        const want = expected(q);
        const got: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; ; pages++) {
          expect(pages, 'more pages than rows').toBeLessThanOrEqual(want.length + 1);
          const res = await client.get(url(q, cursor));
          const page = expectOk(res);
          expect(page.data.length).toBeLessThanOrEqual(q.limit);
          got.push(...page.data.map((t: PublicTask) => t.id));
          expect(page.has_more).toBe(page.next_cursor !== null);
          expect(res.headers.get('link')!.includes('rel="next"')).toBe(page.has_more);
          if (!page.has_more) break;
          expect(page.data).toHaveLength(q.limit);
          cursor = page.next_cursor;
        }
        expect(new Set(got).size).toBe(got.length);
        expect(got).toEqual(want);
      }),
      { numRuns: 18, seed: SEED, endOnFailure: true },
    );
  });

  it('returns each task as it is (the list shows what a read shows)', async () => {
    const page = expectOk(await asAdmin(env).get('/api/v1/tasks?limit=100'));
    for (const t of page.data as PublicTask[]) expect(t).toMatchObject(tasks.get(t.id)!);
  });
});
