/**
 * Who may assign whom: a task assigned to someone makes the platform notify them (by email)
 * with the title the assigner wrote, so assigning others needs `tasks:assign` (staff,
 * instructors, admins); a plain user may assign only themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import tasksService from '../src/service.ts';
import { asPlainUser, eventProbe, expectOk, expectProblem, newUserId } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`task assignment (${matrixLabel})`, () => {
  let env: TestServices;
  let probe: Awaited<ReturnType<typeof eventProbe>>;
  beforeAll(async () => {
    env = await startTestServices([tasksService]);
    probe = await eventProbe(env);
  });
  afterAll(async () => {
    await probe?.stop();
    await env?.stop();
  });

  it('refuses a plain user assigning someone else, on create and on change, and publishes nothing', async () => {
    const me = newUserId('plain');
    const client = asPlainUser(env, me);
    const victim = newUserId('victim');
    expectProblem(
      await client.post('/api/v1/tasks', { title: 'Click http://evil.example', assignee_id: victim }),
      403,
      'forbidden',
      'assignee_id',
    );
    const task = expectOk(await client.post('/api/v1/tasks', { title: 'Mine', assignee_id: me }), 201);
    expect(task.assignee_id).toBe(me);
    expectProblem(
      await client.patch(`/api/v1/tasks/${task.id}`, { assignee_id: victim }),
      403,
      'forbidden',
      'assignee_id',
    );
    expectOk(await client.patch(`/api/v1/tasks/${task.id}`, { assignee_id: null }));
    await probe.settle();
    const assigned = probe.events.filter((e) => e.type === 'task.assigned');
    expect(assigned.map((e) => e.data.assignee_id)).not.toContain(victim);
  });

  it('lets staff, instructors and admins assign others', async () => {
    for (const role of ['staff', 'instructor', 'admin']) {
      const client = asPlainUser(env, newUserId(role), [role]);
      const other = newUserId('other');
      const task = expectOk(
        await client.post('/api/v1/tasks', { title: `From ${role}`, assignee_id: other }),
        201,
      );
      expect(task.assignee_id).toBe(other);
    }
  });
});
