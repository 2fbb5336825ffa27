/** Shared helpers for the students tests: callers, fresh records, an event probe, problem checks. */
import { randomBytes, randomInt } from 'node:crypto';
import { makeEvent, type EventEnvelope, type Subscription } from '@portico/kit';
import { userCaller, type TestClient, type TestServices } from '@portico/kit/testing';
import { STUDENT_EVENTS } from '../src/events.ts';
import { expectOk, expectProblem } from '@portico/kit/testing/expect';

export { expectOk, expectProblem };

export const uid = (label = 'u') => `${label}-${randomBytes(4).toString('hex')}`;

let serial = randomInt(0, 500_000);
const letters = () => String.fromCharCode(65 + randomInt(0, 26), 65 + randomInt(0, 26));
const PREFIX = letters();

/** A student number no other test in this file has used (two letters + six digits). */
export function newNumber(prefix = PREFIX): string {
  serial += 1;
  return `${prefix}${String(serial).padStart(6, '0')}`;
}

export const as = (env: TestServices, role: string, id = uid(role)): TestClient =>
  env.as('students', userCaller(id, [role]));

export function newStudentBody(over: Record<string, unknown> = {}) {
  const tag = randomBytes(4).toString('hex');
  return {
    student_number: newNumber(),
    email: `student.${tag}@school.ac.ke`,
    full_name: `Student ${tag}`,
    ...over,
  };
}

/** Creates a student as staff and returns it (asserting 201). */
export async function createStudent(env: TestServices, over: Record<string, unknown> = {}) {
  const res = await as(env, 'staff').post('/api/v1/students', newStudentBody(over));
  return expectOk(res, 201);
}

/**
 * Records every `student.*` event on the real bus. `settle()` proves that everything published
 * before it has arrived: it creates a marker student and waits for its `student.created`,
 * which the outbox relays after every earlier event.
 */
export async function studentEventProbe(env: TestServices) {
  const events: EventEnvelope<any>[] = [];
  const sub: Subscription = await env.bus.subscribe(
    { consumer: `students-test-probe-${randomBytes(3).toString('hex')}`, types: [...STUDENT_EVENTS] },
    async (ev) => {
      events.push(ev);
    },
  );
  return {
    events,
    of: (studentId: string, type?: string) =>
      events.filter((e) => e.subject === studentId && (type === undefined || e.type === type)),
    async settle(): Promise<void> {
      const marker = await createStudent(env);
      await env.eventually(async () => events.some((e) => e.subject === marker.id));
    },
    stop: () => sub.stop(),
  };
}

/** Publishes an event onto the bus as another service would (curriculum, finance). */
export async function publishAs<T>(
  env: TestServices,
  source: string,
  type: string,
  data: T,
  opts: { subject?: string; id?: string } = {},
): Promise<EventEnvelope<T>> {
  const ev = makeEvent(source, type, data, opts);
  await env.bus.publish(ev);
  return ev;
}
