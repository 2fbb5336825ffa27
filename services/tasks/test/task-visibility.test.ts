import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  type TestClient,
  type TestServices,
} from '@portico/kit/testing';
import tasksService from '../src/service.ts';
import { asAdmin, asUser, expectOk, expectProblem, newUserId } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`who sees and changes a task (${matrixLabel})`, () => {
  let env: TestServices;
  let creatorId: string;
  let assigneeId: string;
  let creator: TestClient;
  let assignee: TestClient;
  let stranger: TestClient;
  beforeAll(async () => {
    env = await startTestServices([tasksService]);
    creatorId = newUserId('creator');
    assigneeId = newUserId('assignee');
    creator = asUser(env, creatorId);
    assignee = asUser(env, assigneeId);
    stranger = asUser(env, newUserId('stranger'), ['user', 'staff']);
  });
  afterAll(() => env?.stop());

  const assignedTask = async (title = 'shared') =>
    expectOk(await creator.post('/api/v1/tasks', { title, assignee_id: assigneeId }), 201);

  it('answers 404 to another user for read, update, delete and every transition', async () => {
    const task = await assignedTask();
    expectProblem(await stranger.get(`/api/v1/tasks/${task.id}`), 404, 'not_found');
    expectProblem(await stranger.patch(`/api/v1/tasks/${task.id}`, { title: 'mine' }), 404, 'not_found');
    expectProblem(
      await stranger.patch(`/api/v1/tasks/${task.id}`, { status: 'in_progress' }),
      404,
      'not_found',
    );
    expectProblem(await stranger.delete(`/api/v1/tasks/${task.id}`), 404, 'not_found');
    for (const action of ['start', 'complete', 'cancel', 'reopen']) {
      expectProblem(await stranger.post(`/api/v1/tasks/${task.id}/${action}`), 404, 'not_found');
    }
    expect(expectOk(await creator.get(`/api/v1/tasks/${task.id}`))).toEqual(task);
  });

  it('answers the same 404 for another user’s task as for a task that does not exist', async () => {
    const task = await assignedTask();
    const theirs = await stranger.get(`/api/v1/tasks/${task.id}`);
    const none = await stranger.get('/api/v1/tasks/01a20000-0000-7000-8000-000000000000');
    expect(theirs.body.detail).toBe(none.body.detail);
  });

  it('lets the assignee read the task and move it through its states', async () => {
    const task = await assignedTask();
    expect(expectOk(await assignee.get(`/api/v1/tasks/${task.id}`)).id).toBe(task.id);
    expect(expectOk(await assignee.post(`/api/v1/tasks/${task.id}/start`)).status).toBe('in_progress');
    expect(expectOk(await assignee.patch(`/api/v1/tasks/${task.id}`, { status: 'completed' })).status).toBe(
      'completed',
    );
    expect(expectOk(await assignee.post(`/api/v1/tasks/${task.id}/reopen`)).status).toBe('pending');
    expect(expectOk(await assignee.post(`/api/v1/tasks/${task.id}/cancel`)).status).toBe('cancelled');
  });

  it('answers 403 to the assignee changing the title or any other field, changing nothing', async () => {
    const task = await assignedTask('do not rename');
    expectProblem(await assignee.patch(`/api/v1/tasks/${task.id}`, { title: 'renamed' }), 403, 'forbidden');
    expectProblem(await assignee.patch(`/api/v1/tasks/${task.id}`, { priority: 'urgent' }), 403, 'forbidden');
    expectProblem(await assignee.patch(`/api/v1/tasks/${task.id}`, { assignee_id: null }), 403, 'forbidden');
    expectProblem(
      await assignee.patch(`/api/v1/tasks/${task.id}`, { status: 'in_progress', title: 'sneaky' }),
      403,
      'forbidden',
    );
    expect(expectOk(await creator.get(`/api/v1/tasks/${task.id}`))).toEqual(task);
  });

  it('answers 403 to the assignee deleting the task', async () => {
    const task = await assignedTask();
    expectProblem(await assignee.delete(`/api/v1/tasks/${task.id}`), 403, 'forbidden');
    expectOk(await creator.get(`/api/v1/tasks/${task.id}`));
  });

  it('takes the task away from an assignee who is replaced', async () => {
    const task = await assignedTask();
    const newcomerId = newUserId('newcomer');
    expectOk(await creator.patch(`/api/v1/tasks/${task.id}`, { assignee_id: newcomerId }));
    expectProblem(await assignee.get(`/api/v1/tasks/${task.id}`), 404, 'not_found');
    expect(expectOk(await asUser(env, newcomerId).get(`/api/v1/tasks/${task.id}`)).assignee_id).toBe(
      newcomerId,
    );
  });

  it('lists for each user exactly the tasks they created or are assigned', async () => {
    const a = newUserId('a');
    const b = newUserId('b');
    const byA = expectOk(await asUser(env, a).post('/api/v1/tasks', { title: 'a alone' }), 201);
    const aForB = expectOk(
      await asUser(env, a).post('/api/v1/tasks', { title: 'a for b', assignee_id: b }),
      201,
    );
    const byB = expectOk(await asUser(env, b).post('/api/v1/tasks', { title: 'b alone' }), 201);
    const ids = async (id: string) =>
      expectOk(await asUser(env, id).get('/api/v1/tasks?limit=100'))
        .data.map((t: { id: string }) => t.id)
        .sort();
    expect(await ids(a)).toEqual([byA.id, aForB.id].sort());
    expect(await ids(b)).toEqual([aForB.id, byB.id].sort());
    expect(await ids(newUserId('nobody'))).toEqual([]);
  });

  it('lets an admin see, list, change and delete anyone’s task', async () => {
    const task = await assignedTask('admin target');
    const admin = asAdmin(env);
    expect(expectOk(await admin.get(`/api/v1/tasks/${task.id}`)).id).toBe(task.id);
    const listed = expectOk(await admin.get(`/api/v1/tasks?created_by=${creatorId}&limit=100`));
    expect(listed.data.map((t: { id: string }) => t.id)).toContain(task.id);
    expect(expectOk(await admin.patch(`/api/v1/tasks/${task.id}`, { title: 'by admin' })).title).toBe(
      'by admin',
    );
    expect(expectOk(await admin.post(`/api/v1/tasks/${task.id}/start`)).status).toBe('in_progress');
    expect((await admin.delete(`/api/v1/tasks/${task.id}`)).status).toBe(204);
  });

  it('does not let staff see other people’s tasks (tasks:*:own)', async () => {
    const task = await assignedTask();
    expectProblem(await stranger.get(`/api/v1/tasks/${task.id}`), 404, 'not_found');
    expect(expectOk(await stranger.get(`/api/v1/tasks?created_by=${creatorId}`)).data).toEqual([]);
  });

  it('checks an admin-set category against the creator’s categories, not the admin’s', async () => {
    const task = await assignedTask();
    const creatorsCat = expectOk(
      await creator.post('/api/v1/categories', { name: `c-${task.id}`, color: '#123456' }),
      201,
    );
    const admin = asAdmin(env);
    const adminsCat = expectOk(
      await admin.post('/api/v1/categories', { name: `a-${task.id}`, color: '#123456' }),
      201,
    );
    expectProblem(
      await admin.patch(`/api/v1/tasks/${task.id}`, { category_id: adminsCat.id }),
      422,
      'validation_failed',
      'category_id',
    );
    expect(
      expectOk(await admin.patch(`/api/v1/tasks/${task.id}`, { category_id: creatorsCat.id })).category_id,
    ).toBe(creatorsCat.id);
  });

  it('answers 403 to a caller whose role grants no task permission', async () => {
    const nobody = env.as('tasks', {
      id: 'np',
      roles: [],
      permissions: ['profile:read:own'],
      auth: 'api_key',
    });
    expectProblem(await nobody.get('/api/v1/tasks'), 403, 'forbidden');
    expectProblem(await nobody.post('/api/v1/tasks', { title: 'x' }), 403, 'forbidden');
  });
});
