/** Shared helpers for the finance tests: callers, opening accounts through events, issuing and paying. */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { EnrollmentData, StudentData } from '@portico/contracts';
import { makeEvent } from '@portico/kit';
import {
  ifMatchOf,
  userCaller,
  type TestClient,
  type TestResponse,
  type TestServices,
} from '@portico/kit/testing';
import { expectProblem } from '@portico/kit/testing/expect';

export { expectProblem };

export const uid = (label = 'id') => `${label}-${randomBytes(5).toString('hex')}`;

export function callers(env: TestServices) {
  return {
    admin: env.as('finance', userCaller(uid('admin'), ['admin'])),
    staff: env.as('finance', userCaller(uid('staff'), ['staff'])),
    instructor: env.as('finance', userCaller(uid('instr'), ['instructor'])),
    student: (userId: string) => env.as('finance', userCaller(userId, ['student'])),
  };
}

export function studentData(over: Partial<StudentData> = {}): StudentData {
  const id = over.student_id ?? uid('stu');
  return {
    student_id: id,
    student_number: `KE${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
    email: `${id}@school.test`,
    full_name: 'Achieng Otieno',
    status: 'active',
    user_id: uid('user'),
    ...over,
  };
}

/** Announces a student as the students service would and waits until finance opened the account. */
export async function openAccount(
  env: TestServices,
  staff: TestClient,
  over: Partial<StudentData> = {},
): Promise<StudentData> {
  const s = studentData(over);
  await env.bus.publish(makeEvent('students', 'student.created', s, { subject: s.student_id }));
  await env.eventually(
    async () => (await staff.get(`/api/v1/students/${s.student_id}/account`)).status === 200,
  );
  return s;
}

export function enrollment(
  studentId: string,
  courseId: string,
  over: Partial<EnrollmentData> = {},
): EnrollmentData {
  return {
    enrollment_id: uid('enr'),
    student_id: studentId,
    course_id: courseId,
    course_code: 'MAT101',
    course_title: 'Mathematics I',
    credits: 3,
    user_id: null,
    ...over,
  };
}

export const inFuture = (days = 30) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
export const inPast = (days = 10) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

export async function issue(
  staff: TestClient,
  studentId: string,
  amounts: number[] = [1000],
  opts: { currency?: string; due_date?: string } = {},
) {
  const res = await staff.post('/api/v1/invoices', {
    student_id: studentId,
    items: amounts.map((amount, i) => ({ description: `Fee ${i + 1}`, amount })),
    currency: opts.currency ?? 'KES',
    due_date: opts.due_date ?? inFuture(),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: string; total: number; balance_due: number; status: string };
}

/** Voids an invoice as a client that read it first: the route requires If-Match (money). */
export async function voidInvoice(client: TestClient, invoiceId: string): Promise<TestResponse> {
  return client.post(
    `/api/v1/invoices/${invoiceId}/void`,
    {},
    await ifMatchOf(client, `/api/v1/invoices/${invoiceId}`),
  );
}

export function pay(
  client: TestClient,
  invoiceId: string,
  amount: number,
  key: string | null = uid('key'),
  method = 'mpesa',
): Promise<TestResponse> {
  return client.post(
    `/api/v1/invoices/${invoiceId}/payments`,
    { amount, method, reference: 'QX12AB' },
    key === null ? {} : { 'idempotency-key': key },
  );
}

export async function balanceOf(staff: TestClient, studentId: string): Promise<number> {
  const res = await staff.get(`/api/v1/students/${studentId}/account`);
  expect(res.status).toBe(200);
  return res.body.balance as number;
}
