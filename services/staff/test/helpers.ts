/** Shared helpers for the staff service tests: callers, fixtures, event probe, problem assertions. */
import { randomBytes } from 'node:crypto';
import type { EventEnvelope, Subscription } from '@portico/kit';
import { userCaller, type TestClient, type TestServices } from '@portico/kit/testing';
import { STAFF_EVENTS } from '../src/events.ts';
import { expectOk, expectProblem } from '@portico/kit/testing/expect';

export { expectOk, expectProblem };

export const unique = (label = 'x') => `${label}-${randomBytes(4).toString('hex')}`;

export const asAdmin = (env: TestServices, id = 'admin-root'): TestClient =>
  env.as('staff', userCaller(id, ['admin']));
export const asRole = (env: TestServices, id: string, role: string): TestClient =>
  env.as('staff', userCaller(id, [role]));

export async function newDepartment(env: TestServices, body: Record<string, unknown> = {}) {
  return expectOk(await asAdmin(env).post('/api/v1/departments', { name: unique('Dept'), ...body }), 201);
}

/** A valid staff body in `departmentId`, unique employee number and email. */
export function staffBody(departmentId: string, extra: Record<string, unknown> = {}): Record<string, any> {
  const tag = randomBytes(4).toString('hex');
  return {
    employee_number: `EMP-${tag}`,
    email: `person-${tag}@school.test`,
    full_name: `Person ${tag}`,
    position: 'Teacher',
    department_id: departmentId,
    hire_date: '2024-01-15',
    ...extra,
  };
}

export async function newStaff(env: TestServices, departmentId: string, extra: Record<string, unknown> = {}) {
  return expectOk(await asAdmin(env).post('/api/v1/staff', staffBody(departmentId, extra)), 201);
}

/**
 * Subscribes to every staff event on the real bus and records what arrives. `settle()` proves
 * that everything published before it has arrived: it adds a marker staff member and waits for
 * the marker's staff.created, which the outbox relays after every earlier event.
 */
export async function eventProbe(env: TestServices) {
  const events: EventEnvelope<any>[] = [];
  const sub: Subscription = await env.bus.subscribe(
    { consumer: `staff-test-probe-${randomBytes(3).toString('hex')}`, types: [...STAFF_EVENTS] },
    async (ev) => {
      events.push(ev);
    },
  );
  const markerDept = await newDepartment(env);
  return {
    events,
    of: (subject: string, type?: string) =>
      events.filter((e) => e.subject === subject && (type === undefined || e.type === type)),
    async settle(): Promise<void> {
      const marker = await newStaff(env, markerDept.id);
      await env.eventually(async () => events.some((e) => e.subject === marker.id));
    },
    stop: () => sub.stop(),
  };
}
