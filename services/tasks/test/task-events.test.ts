import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  type TestClient,
  type TestServices,
} from '@portico/kit/testing';
import tasksService from '../src/service.ts';
import { asUser, eventProbe, expectOk, newUserId } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`task events (${matrixLabel})`, () => {
  let env: TestServices;
  let probe: Awaited<ReturnType<typeof eventProbe>>;
  let creatorId: string;
  let creator: TestClient;
  beforeAll(async () => {
    env = await startTestServices([tasksService]);
    probe = await eventProbe(env);
    creatorId = newUserId('creator');
    creator = asUser(env, creatorId);
  });
  afterAll(async () => {
    await probe?.stop();
    await env?.stop();
  });

  const types = (taskId: string) => probe.of(taskId).map((e) => e.type);

  it('publishes task.created and task.assigned with the TaskEventData shape for a task created with an assignee', async () => {
    const assigneeId = newUserId('assignee');
    const task = expectOk(
      await creator.post('/api/v1/tasks', { title: 'Review PR', priority: 'high', assignee_id: assigneeId }),
      201,
    );
    await probe.settle();
    expect(types(task.id)).toEqual(['task.created', 'task.assigned']);
    const [assigned] = probe.of(task.id, 'task.assigned');
    expect(assigned).toMatchObject({ source: 'tasks', subject: task.id, specversion: '1.0' });
    expect(assigned!.data).toMatchObject({
      task_id: task.id,
      title: 'Review PR',
      status: 'pending',
      priority: 'high',
      created_by: creatorId,
      assignee_id: assigneeId,
      previous_assignee_id: null,
      actor_id: creatorId,
    });
  });

  it('publishes only task.created for a task without an assignee', async () => {
    const task = expectOk(await creator.post('/api/v1/tasks', { title: 'solo' }), 201);
    await probe.settle();
    expect(types(task.id)).toEqual(['task.created']);
  });

  it('publishes task.assigned when the assignee changes, and nothing for a PATCH that changes nothing', async () => {
    const task = expectOk(await creator.post('/api/v1/tasks', { title: 'hand over' }), 201);
    const first = newUserId('first');
    const second = newUserId('second');
    expectOk(await creator.patch(`/api/v1/tasks/${task.id}`, { assignee_id: first }));
    expectOk(await creator.patch(`/api/v1/tasks/${task.id}`, { assignee_id: first, title: 'hand over' }));
    expectOk(await creator.patch(`/api/v1/tasks/${task.id}`, { assignee_id: second }));
    expectOk(await creator.patch(`/api/v1/tasks/${task.id}`, { assignee_id: null }));
    await probe.settle();
    const assigned = probe
      .of(task.id, 'task.assigned')
      .map((e) => [e.data.previous_assignee_id, e.data.assignee_id]);
    expect(assigned).toEqual([
      [null, first],
      [first, second],
    ]);
    const updates = probe.of(task.id, 'task.updated').map((e) => e.data.changes);
    expect(updates).toEqual([['assignee_id'], ['assignee_id'], ['assignee_id']]);
  });

  it('publishes task.updated naming the changed fields', async () => {
    const task = expectOk(await creator.post('/api/v1/tasks', { title: 'old', priority: 'low' }), 201);
    expectOk(
      await creator.patch(`/api/v1/tasks/${task.id}`, {
        title: 'new',
        priority: 'low',
        due_at: '2030-01-01T00:00:00Z',
      }),
    );
    await probe.settle();
    const [updated, ...rest] = probe.of(task.id, 'task.updated');
    expect(rest).toEqual([]);
    expect(updated!.data).toMatchObject({
      title: 'new',
      changes: ['title', 'due_at'],
      due_at: '2030-01-01T00:00:00.000Z',
    });
  });

  it('publishes task.completed exactly once when the assignee completes an assigned task, even if completion is retried', async () => {
    const assigneeId = newUserId('assignee');
    const assignee = asUser(env, assigneeId);
    const task = expectOk(
      await creator.post('/api/v1/tasks', { title: 'finish me', assignee_id: assigneeId }),
      201,
    );
    expectOk(await assignee.post(`/api/v1/tasks/${task.id}/start`));
    const attempts = await Promise.all(
      [1, 2, 3].map(() => assignee.post(`/api/v1/tasks/${task.id}/complete`)),
    );
    expect(attempts.filter((r) => r.status === 200)).toHaveLength(1);
    await assignee.post(`/api/v1/tasks/${task.id}/complete`);
    await probe.settle();
    const completed = probe.of(task.id, 'task.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data).toMatchObject({
      task_id: task.id,
      status: 'completed',
      created_by: creatorId,
      assignee_id: assigneeId,
      actor_id: assigneeId,
    });
    expect(completed[0]!.data.completed_at).toEqual(expect.any(String));
    expect(types(task.id)).toEqual(['task.created', 'task.assigned', 'task.updated', 'task.completed']);
  });

  it('publishes task.updated for start and reopen, task.cancelled for cancel and task.deleted for delete', async () => {
    const task = expectOk(await creator.post('/api/v1/tasks', { title: 'full circle' }), 201);
    for (const a of ['start', 'complete', 'reopen', 'cancel'])
      expectOk(await creator.post(`/api/v1/tasks/${task.id}/${a}`));
    expect((await creator.delete(`/api/v1/tasks/${task.id}`)).status).toBe(204);
    await probe.settle();
    expect(types(task.id)).toEqual([
      'task.created',
      'task.updated',
      'task.completed',
      'task.updated',
      'task.cancelled',
      'task.deleted',
    ]);
    expect(probe.of(task.id, 'task.updated').map((e) => e.data.changes)).toEqual([
      ['status'],
      ['status', 'completed_at'],
    ]);
    expect(probe.of(task.id, 'task.deleted')[0]!.data).toMatchObject({
      task_id: task.id,
      status: 'cancelled',
      title: 'full circle',
    });
  });

  it('publishes nothing for a refused transition or a refused edit', async () => {
    const assigneeId = newUserId('assignee');
    const task = expectOk(
      await creator.post('/api/v1/tasks', { title: 'quiet', assignee_id: assigneeId }),
      201,
    );
    expect((await creator.post(`/api/v1/tasks/${task.id}/complete`)).status).toBe(409);
    expect((await asUser(env, assigneeId).patch(`/api/v1/tasks/${task.id}`, { title: 'x' })).status).toBe(
      403,
    );
    expect((await asUser(env, newUserId()).delete(`/api/v1/tasks/${task.id}`)).status).toBe(404);
    await probe.settle();
    expect(types(task.id)).toEqual(['task.created', 'task.assigned']);
  });

  it('carries the request’s trace context on the events it causes', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const task = expectOk(await creator.post('/api/v1/tasks', { title: 'traced' }, { traceparent }), 201);
    await probe.settle();
    expect(probe.of(task.id, 'task.created')[0]!.traceparent).toMatch(
      /^00-4bf92f3577b34da6a3ce929d0e0e4736-/,
    );
  });

  it('publishes task.updated for each task that loses its category when the category is deleted', async () => {
    const cat = expectOk(await creator.post('/api/v1/categories', { name: 'doomed', color: '#000000' }), 201);
    const t1 = expectOk(await creator.post('/api/v1/tasks', { title: 'one', category_id: cat.id }), 201);
    const t2 = expectOk(await creator.post('/api/v1/tasks', { title: 'two', category_id: cat.id }), 201);
    expect((await creator.delete(`/api/v1/categories/${cat.id}`)).status).toBe(204);
    await probe.settle();
    for (const t of [t1, t2]) {
      expect(probe.of(t.id, 'task.updated').map((e) => [e.data.changes, e.data.category_id])).toEqual([
        [['category_id'], null],
      ]);
    }
  });
});
