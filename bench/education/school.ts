/**
 * A school for the education benchmark, built through the gateway as an admin would (setup is
 * not timed): published courses with a fee schedule, students (each linked to a login id, so
 * notifications has work too), and the prepared enrolment, payment and grade requests. Also a
 * watcher of the kit's `event-consumed` channel: how many events each service has handled, the
 * moment the next one of a kind is handled, and when the event chain has gone quiet.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { kitEvents } from '@portico/kit/runtime';
import { call, pool, until, type PreparedRequest } from '../common.ts';
import type { Stack } from '../stacks.ts';

export const FEE = 150_000; // KES 1,500.00 per course, in minor units
export const EDUCATION_SERVICES = ['identity', 'students', 'curriculum', 'finance', 'notifications'];

/** Two letters naming this run (student numbers are `^[A-Z]{2}\d{6}$`). */
const run = String.fromCharCode(...[...randomBytes(2)].map((b) => 65 + (b % 26)));

export interface Student {
  id: string;
}

/** `count` published generic courses of `capacity` seats, each with the fee schedule. */
export async function createCourses(stack: Stack, count: number, capacity: number): Promise<string[]> {
  const admin = stack.staffHeaders();
  return pool(Array.from({ length: count }), 4, async (_, i) => {
    const course = await call(stack, 'POST', '/api/v1/courses', admin, {
      code: `B${run}${i}`,
      title: `Bench course ${i}`,
      credits: 3,
      capacity,
      framework: 'generic',
      self_enrollment: false,
    });
    await call(stack, 'POST', `/api/v1/courses/${course.id}/publish`, admin);
    await call(stack, 'POST', '/api/v1/fee-schedules', admin, {
      course_id: course.id,
      amount: FEE,
      currency: 'KES',
    });
    return course.id as string;
  });
}

/** `count` active students, each linked to a (fictitious) login so the student is notified. */
export async function createStudents(stack: Stack, count: number, offset = 0): Promise<Student[]> {
  const admin = stack.staffHeaders();
  return pool(Array.from({ length: count }), 8, async (_, j) => {
    const i = j + offset;
    const s = await call(stack, 'POST', '/api/v1/students', admin, {
      student_number: `${run}${String(i).padStart(6, '0')}`,
      email: `bench-${run}-${i}@school.test`.toLowerCase(),
      full_name: `Bench Student ${i}`,
      user_id: randomUUID(),
    });
    return { id: s.id as string };
  });
}

const json = (headers: Record<string, string>, body: unknown): Omit<PreparedRequest, 'path'> => ({
  headers,
  body: JSON.stringify(body),
});

/** One enrolment per student, round-robin over the courses. */
export const enrolRequests = (stack: Stack, students: Student[], courses: string[]): PreparedRequest[] =>
  students.map((s, i) => ({
    path: '/api/v1/enrollments',
    ...json(stack.staffHeaders(), { student_id: s.id, course_id: courses[i % courses.length] }),
  }));

/** The full fee paid on each invoice, each payment with its own Idempotency-Key. */
export const paymentRequests = (stack: Stack, invoiceIds: string[]): PreparedRequest[] =>
  invoiceIds.map((id, i) => ({
    path: `/api/v1/invoices/${id}/payments`,
    ...json(
      { ...stack.staffHeaders(), 'idempotency-key': `bench-${run}-${i}-${randomBytes(4).toString('hex')}` },
      { amount: FEE, method: 'mpesa', reference: `MP-${run}-${i}` },
    ),
  }));

/** The invoice finance issued for each student's enrolment (one per student), read through the gateway. */
export const invoicesOf = (stack: Stack, students: Student[]): Promise<string[]> =>
  pool(students, 8, async (s) => {
    const list = await call(stack, 'GET', `/api/v1/invoices?student_id=${s.id}`, stack.staffHeaders());
    const inv = (list.data as { id: string }[])[0];
    if (!inv) throw new Error(`no invoice for student ${s.id}`);
    return inv.id;
  });

/** The grade points of a percentage (curriculum's 90/80/70/60 bands). */
export const gradePoints = (score: number) =>
  score >= 90 ? 4 : score >= 80 ? 3 : score >= 70 ? 2 : score >= 60 ? 1 : 0;

interface Consumed {
  service: string;
  type: string;
  outcome: string;
}

/** Counts handled events per `service:type` while it is open (the kit's diagnostics channel). */
export class EventWatch {
  private counts = new Map<string, number>();
  private waiters: { key: string; resolve: (at: number) => void }[] = [];
  private lastAt = performance.now();
  private readonly listener = (m: Consumed) => {
    if (m.outcome !== 'handled') return;
    const key = `${m.service}:${m.type}`;
    const at = performance.now();
    this.lastAt = at;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const ready = this.waiters.filter((w) => w.key === key);
    this.waiters = this.waiters.filter((w) => w.key !== key);
    for (const w of ready) w.resolve(at);
  };

  constructor() {
    kitEvents.consumed.subscribe(this.listener);
  }

  count(service: string, type: string): number {
    return this.counts.get(`${service}:${type}`) ?? 0;
  }

  /** Waits until `service` has handled `n` events of `type` in all. */
  reach(service: string, type: string, n: number, timeoutMs = 300_000): Promise<void> {
    return until(() => this.count(service, type) >= n, timeoutMs, `${n} × ${type} at ${service}`);
  }

  /** Resolves with the moment `service` next commits the handling of a `type` event. */
  next(service: string, type: string): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ key: `${service}:${type}`, resolve }));
  }

  /** Waits until no event has been handled for `quietMs` (the chain of the last request is done). */
  idle(quietMs = 30): Promise<void> {
    return until(() => performance.now() - this.lastAt >= quietMs, 60_000, 'the event chain to go quiet');
  }

  close(): void {
    kitEvents.consumed.unsubscribe(this.listener);
  }
}
