import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  type TestClient,
  type TestServices,
} from '@portico/kit/testing';
import tasksService from '../src/service.ts';
import { asUser, expectOk, expectProblem, newUserId } from './helpers.ts';

const skip = await matrixUnavailable();
const DAY = 86_400_000;

describe.skipIf(skip)(`task lists (${matrixLabel})`, () => {
  let env: TestServices;
  let me: TestClient;
  const created: Record<string, any> = {};
  beforeAll(async () => {
    env = await startTestServices([tasksService]);
    me = asUser(env, newUserId());
    const now = Date.now();
    const specs: [string, Record<string, unknown>][] = [
      ['late', { priority: 'high', due_at: new Date(now - 2 * DAY).toISOString() }],
      ['soon', { priority: 'low', due_at: new Date(now + DAY).toISOString() }],
      ['undated', { priority: 'urgent' }],
      ['later', { priority: 'medium', due_at: new Date(now + 10 * DAY).toISOString() }],
      ['late-done', { priority: 'low', due_at: new Date(now - 3 * DAY).toISOString() }],
    ];
    for (const [title, extra] of specs)
      created[title] = expectOk(await me.post('/api/v1/tasks', { title, ...extra }), 201);
    await me.post(`/api/v1/tasks/${created['late-done'].id}/start`);
    await me.post(`/api/v1/tasks/${created['late-done'].id}/complete`);
  });
  afterAll(() => env?.stop());

  const titles = async (query: string) =>
    expectOk(await me.get(`/api/v1/tasks?${query}`)).data.map((t: { title: string }) => t.title);

  it('lists newest first by default', async () => {
    expect(await titles('')).toEqual(['late-done', 'later', 'undated', 'soon', 'late']);
  });

  it('sorts by due date with undated tasks last ascending and first descending', async () => {
    expect(await titles('sort=due_at')).toEqual(['late-done', 'late', 'soon', 'later', 'undated']);
    expect(await titles('sort=-due_at')).toEqual(['undated', 'later', 'soon', 'late', 'late-done']);
  });

  it('sorts by priority rank, not by name: -priority puts urgent first', async () => {
    expect((await titles('sort=-priority')).slice(0, 3)).toEqual(['undated', 'late', 'later']);
    expect((await titles('sort=priority')).at(-1)).toBe('undated');
  });

  it('filters overdue tasks: open and past due; overdue=false is everything else', async () => {
    expect(await titles('overdue=true')).toEqual(['late']);
    expect(await titles('overdue=false&sort=created_at')).toEqual(['soon', 'undated', 'later', 'late-done']);
  });

  it('filters by due_before (strictly before), status and priority', async () => {
    expect(await titles(`due_before=${encodeURIComponent(created.soon.due_at)}&sort=due_at`)).toEqual([
      'late-done',
      'late',
    ]);
    expect(await titles('status=completed')).toEqual(['late-done']);
    expect(await titles('priority=low&sort=created_at')).toEqual(['soon', 'late-done']);
  });

  it('pages with a next_cursor and a Link header until the last page', async () => {
    const first = await me.get('/api/v1/tasks?limit=2&sort=due_at');
    expect(first.body).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
    expect(first.headers.get('link')).toContain('rel="next"');
    const link = /<([^>]+)>/.exec(first.headers.get('link')!)![1]!;
    const second = expectOk(await me.get(link));
    expect(second.data.map((t: { title: string }) => t.title)).toEqual(['soon', 'later']);
    const third = expectOk(await me.get(`/api/v1/tasks?limit=2&sort=due_at&cursor=${second.next_cursor}`));
    expect(third).toMatchObject({ has_more: false, next_cursor: null });
    expect(third.data.map((t: { title: string }) => t.title)).toEqual(['undated']);
  });

  it('answers 422 naming sort to a sort it does not offer', async () => {
    for (const sort of ['title', 'due', '+priority', '-', 'created_at,-priority']) {
      expectProblem(
        await me.get(`/api/v1/tasks?sort=${encodeURIComponent(sort)}`),
        422,
        'validation_failed',
        'sort',
      );
    }
  });

  it('answers 422 naming the parameter to a bad filter or limit', async () => {
    expectProblem(await me.get('/api/v1/tasks?status=done'), 422, 'validation_failed', 'status');
    expectProblem(await me.get('/api/v1/tasks?priority=critical'), 422, 'validation_failed', 'priority');
    expectProblem(await me.get('/api/v1/tasks?overdue=maybe'), 422, 'validation_failed', 'overdue');
    expectProblem(await me.get('/api/v1/tasks?due_before=yesterday'), 422, 'validation_failed', 'due_before');
    expectProblem(await me.get('/api/v1/tasks?limit=0'), 422, 'validation_failed', 'limit');
    expectProblem(await me.get('/api/v1/tasks?limit=101'), 422, 'validation_failed', 'limit');
  });

  it('answers 422 naming cursor to a forged cursor or one issued for another sort', async () => {
    const page = expectOk(await me.get('/api/v1/tasks?limit=1&sort=priority'));
    expectProblem(
      await me.get(`/api/v1/tasks?limit=1&sort=due_at&cursor=${page.next_cursor}`),
      422,
      'validation_failed',
      'cursor',
    );
    expectProblem(
      await me.get(`/api/v1/tasks?limit=1&cursor=${page.next_cursor}`),
      422,
      'validation_failed',
      'cursor',
    );
    const forged = (v: unknown) => `priority.${Buffer.from(JSON.stringify(v)).toString('base64url')}`;
    for (const cursor of [
      'garbage',
      'priority.!!!',
      forged(['high', 'x']),
      forged([{ d: 'then' }, 'x']),
      forged([2]),
      forged({ a: 1 }),
    ]) {
      expectProblem(
        await me.get(`/api/v1/tasks?sort=priority&cursor=${encodeURIComponent(cursor)}`),
        422,
        'validation_failed',
        'cursor',
      );
    }
  });
});
