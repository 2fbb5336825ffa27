/** Shared helpers for the tasks service tests: callers, event probe, problem assertions. */
import { randomBytes } from 'node:crypto';
import type { EventEnvelope, Subscription } from '@portico/kit';
import { userCaller, type TestClient, type TestServices } from '@portico/kit/testing';
import { TASK_EVENTS } from '../src/events.ts';
import { expectOk, expectProblem } from '@portico/kit/testing/expect';

export { expectOk, expectProblem };

/** A fresh user id, so tests in one file never see each other's tasks. */
export const newUserId = (label = 'u') => `${label}-${randomBytes(4).toString('hex')}`;

/**
 * A user of `roles` who may also assign tasks to others (`tasks:assign`, as staff and instructors
 * hold): most tests are about who sees and changes a task, so their users delegate freely.
 * `asPlainUser` is the role alone (may assign only themselves).
 */
export const asUser = (env: TestServices, id: string, roles = ['user']): TestClient => {
  const c = userCaller(id, roles);
  return env.as('tasks', { ...c, permissions: [...c.permissions, 'tasks:assign'] });
};
export const asPlainUser = (env: TestServices, id: string, roles = ['user']): TestClient =>
  env.as('tasks', userCaller(id, roles));
export const asAdmin = (env: TestServices): TestClient =>
  env.as('tasks', userCaller('admin-root', ['admin']));

/**
 * Subscribes to every task event on the real bus and records what arrives. `settle()` proves
 * that everything published before it has arrived: it creates a marker task and waits for the
 * marker's task.created, which the outbox relays after every earlier event.
 */
export async function eventProbe(env: TestServices) {
  const events: EventEnvelope<any>[] = [];
  const sub: Subscription = await env.bus.subscribe(
    { consumer: `tasks-test-probe-${randomBytes(3).toString('hex')}`, types: [...TASK_EVENTS] },
    async (ev) => {
      events.push(ev);
    },
  );
  const marker = asUser(env, newUserId('marker'));
  return {
    events,
    of: (taskId: string, type?: string) =>
      events.filter((e) => e.subject === taskId && (type === undefined || e.type === type)),
    async settle(): Promise<void> {
      const res = await marker.post('/api/v1/tasks', { title: 'marker' });
      const id = expectOk(res, 201).id as string;
      await env.eventually(async () => events.some((e) => e.subject === id));
    },
    stop: () => sub.stop(),
  };
}
