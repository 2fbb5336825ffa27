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

describe.skipIf(skip)(`a task’s life (${matrixLabel})`, () => {
  let env: TestServices;
  let me: TestClient;
  let myId: string;
  beforeAll(async () => {
    env = await startTestServices([tasksService]);
    myId = newUserId('creator');
    me = asUser(env, myId);
  });
  afterAll(() => env?.stop());

  /** A new task moved through `actions` (expecting each to succeed). */
  const taskIn = async (actions: string[]) => {
    let task = expectOk(
      await me.post('/api/v1/tasks', { title: `via ${actions.join(',') || 'nothing'}` }),
      201,
    );
    for (const a of actions) task = expectOk(await me.post(`/api/v1/tasks/${task.id}/${a}`));
    return task;
  };

  it('creates a task with 201, a Location header, status pending and priority medium', async () => {
    const res = await me.post('/api/v1/tasks', { title: '  Write the report  ', description: 'Q3 numbers' });
    const task = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/tasks/${task.id}`);
    expect(task).toMatchObject({
      title: 'Write the report',
      description: 'Q3 numbers',
      status: 'pending',
      priority: 'medium',
      category_id: null,
      due_at: null,
      overdue: false,
      assignee_id: null,
      created_by: myId,
      completed_at: null,
      cancelled_at: null,
      links: { self: `/api/v1/tasks/${task.id}` },
    });
    expect(new Date(task.created_at).toISOString()).toBe(task.created_at);
    expect(expectOk(await me.get(`/api/v1/tasks/${task.id}`))).toEqual(task);
  });

  it('keeps the priority, category, due date and assignee it was created with', async () => {
    const cat = expectOk(await me.post('/api/v1/categories', { name: 'Work', color: '#FF0000' }), 201);
    const task = expectOk(
      await me.post('/api/v1/tasks', {
        title: 'Ship it',
        priority: 'urgent',
        category_id: cat.id,
        due_at: '2030-01-02T03:04:05+02:00',
        assignee_id: 'someone-else',
      }),
      201,
    );
    expect(task).toMatchObject({
      priority: 'urgent',
      category_id: cat.id,
      due_at: '2030-01-02T01:04:05.000Z',
      assignee_id: 'someone-else',
    });
  });

  it('runs the whole lifecycle: start, complete (sets completed_at), reopen (clears it), cancel', async () => {
    const task = await taskIn([]);
    const started = expectOk(await me.post(`/api/v1/tasks/${task.id}/start`));
    expect(started).toMatchObject({ status: 'in_progress', completed_at: null });
    const done = expectOk(await me.post(`/api/v1/tasks/${task.id}/complete`));
    expect(done.status).toBe('completed');
    expect(Date.parse(done.completed_at)).toBeGreaterThanOrEqual(Date.parse(started.updated_at));
    const reopened = expectOk(await me.post(`/api/v1/tasks/${task.id}/reopen`));
    expect(reopened).toMatchObject({ status: 'pending', completed_at: null });
    const cancelled = expectOk(await me.post(`/api/v1/tasks/${task.id}/cancel`));
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.cancelled_at).toEqual(expect.any(String));
  });

  it('answers 409 invalid_state to every transition the state machine does not allow, changing nothing', async () => {
    const invalid: Record<string, { path: string[]; refused: string[] }> = {
      pending: { path: [], refused: ['complete', 'reopen'] },
      in_progress: { path: ['start'], refused: ['start', 'reopen'] },
      completed: { path: ['start', 'complete'], refused: ['start', 'complete', 'cancel'] },
      cancelled: { path: ['cancel'], refused: ['start', 'complete', 'cancel', 'reopen'] },
    };
    for (const [status, { path, refused }] of Object.entries(invalid)) {
      const task = await taskIn(path);
      expect(task.status).toBe(status);
      for (const action of refused) {
        expectProblem(await me.post(`/api/v1/tasks/${task.id}/${action}`), 409, 'invalid_state');
      }
      expect(expectOk(await me.get(`/api/v1/tasks/${task.id}`))).toEqual(task);
    }
  });

  it('follows the same state machine when PATCH sets status', async () => {
    const task = await taskIn([]);
    expectProblem(await me.patch(`/api/v1/tasks/${task.id}`, { status: 'completed' }), 409, 'invalid_state');
    expect(expectOk(await me.patch(`/api/v1/tasks/${task.id}`, { status: 'in_progress' })).status).toBe(
      'in_progress',
    );
    const done = expectOk(await me.patch(`/api/v1/tasks/${task.id}`, { status: 'completed' }));
    expect(done.completed_at).toEqual(expect.any(String));
    expectProblem(await me.patch(`/api/v1/tasks/${task.id}`, { status: 'cancelled' }), 409, 'invalid_state');
    expect(expectOk(await me.patch(`/api/v1/tasks/${task.id}`, { status: 'pending' }))).toMatchObject({
      status: 'pending',
      completed_at: null,
    });
  });

  it('lets exactly one of two simultaneous completions win', async () => {
    const task = await taskIn(['start']);
    const results = await Promise.all([
      me.post(`/api/v1/tasks/${task.id}/complete`),
      me.post(`/api/v1/tasks/${task.id}/complete`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('changes fields with PATCH and leaves the others alone', async () => {
    const task = expectOk(
      await me.post('/api/v1/tasks', { title: 'Old', description: 'keep me', priority: 'low' }),
      201,
    );
    const changed = expectOk(
      await me.patch(`/api/v1/tasks/${task.id}`, {
        title: 'New',
        priority: 'high',
        due_at: '2031-05-06T07:08:09.123Z',
      }),
    );
    expect(changed).toMatchObject({
      title: 'New',
      description: 'keep me',
      priority: 'high',
      due_at: '2031-05-06T07:08:09.123Z',
    });
    const cleared = expectOk(await me.patch(`/api/v1/tasks/${task.id}`, { due_at: null, description: null }));
    expect(cleared).toMatchObject({ due_at: null, description: null, title: 'New' });
  });

  it('marks an open task past its due date as overdue, and a completed one not', async () => {
    const task = expectOk(
      await me.post('/api/v1/tasks', { title: 'late', due_at: '2020-01-01T00:00:00Z' }),
      201,
    );
    expect(task.overdue).toBe(true);
    await me.post(`/api/v1/tasks/${task.id}/start`);
    expect(expectOk(await me.post(`/api/v1/tasks/${task.id}/complete`)).overdue).toBe(false);
  });

  it('answers 422 naming the field to invalid input', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{}, 'title'],
      [{ title: '' }, 'title'],
      [{ title: '   ' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{ title: 't', priority: 'critical' }, 'priority'],
      [{ title: 't', due_at: 'tomorrow' }, 'due_at'],
      [{ title: 't', due_at: '2030-01-01T10:00:00' }, 'due_at'],
      [{ title: 't', assignee_id: '' }, 'assignee_id'],
      [{ title: 't', status: 'completed' }, 'status'],
      [{ title: 't', created_by: 'someone' }, 'created_by'],
    ];
    for (const [body, field] of bad)
      expectProblem(await me.post('/api/v1/tasks', body), 422, 'validation_failed', field);
    const task = await taskIn([]);
    expectProblem(await me.patch(`/api/v1/tasks/${task.id}`, {}), 422, 'validation_failed');
    expectProblem(
      await me.patch(`/api/v1/tasks/${task.id}`, { priority: 'meh' }),
      422,
      'validation_failed',
      'priority',
    );
    expectProblem(
      await me.patch(`/api/v1/tasks/${task.id}`, { created_by: 'x' }),
      422,
      'validation_failed',
      'created_by',
    );
  });

  it('answers 422 naming category_id to a category that is not the caller’s own', async () => {
    const theirs = expectOk(
      await asUser(env, newUserId()).post('/api/v1/categories', { name: 'Theirs', color: '#000000' }),
      201,
    );
    expectProblem(
      await me.post('/api/v1/tasks', { title: 't', category_id: theirs.id }),
      422,
      'validation_failed',
      'category_id',
    );
    expectProblem(
      await me.post('/api/v1/tasks', { title: 't', category_id: 'no-such-category' }),
      422,
      'validation_failed',
      'category_id',
    );
    const task = await taskIn([]);
    expectProblem(
      await me.patch(`/api/v1/tasks/${task.id}`, { category_id: theirs.id }),
      422,
      'validation_failed',
      'category_id',
    );
  });

  it('accepts any non-empty assignee id without asking identity', async () => {
    const task = expectOk(
      await me.post('/api/v1/tasks', { title: 'for a stranger', assignee_id: 'user-that-may-not-exist' }),
      201,
    );
    expect(task.assignee_id).toBe('user-that-may-not-exist');
  });

  it('deletes a task with 204; it is gone afterwards', async () => {
    const task = await taskIn(['start']);
    const res = await me.delete(`/api/v1/tasks/${task.id}`);
    expect(res.status).toBe(204);
    expectProblem(await me.get(`/api/v1/tasks/${task.id}`), 404, 'not_found');
    expectProblem(await me.delete(`/api/v1/tasks/${task.id}`), 404, 'not_found');
  });

  it('answers 404 to an unknown task id for every operation', async () => {
    expectProblem(await me.get('/api/v1/tasks/nope'), 404, 'not_found');
    expectProblem(await me.patch('/api/v1/tasks/nope', { title: 'x' }), 404, 'not_found');
    expectProblem(await me.post('/api/v1/tasks/nope/start'), 404, 'not_found');
    expectProblem(await me.delete('/api/v1/tasks/nope'), 404, 'not_found');
  });

  it('answers 401 to a request without a signed-in user', async () => {
    expectProblem(await env.as('tasks', null).get('/api/v1/tasks'), 401, 'unauthenticated');
    expectProblem(await env.as('tasks', null).post('/api/v1/tasks', { title: 'x' }), 401, 'unauthenticated');
  });

  it('replays a create retried with the same Idempotency-Key instead of creating twice', async () => {
    const headers = { 'idempotency-key': `k-${newUserId()}` };
    const first = await me.post('/api/v1/tasks', { title: 'once' }, headers);
    const second = await me.post('/api/v1/tasks', { title: 'once' }, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
  });
});
