/**
 * The assertions every service's tests make about an answer (vitest's `expect`): a problem+json
 * with its status, `code` and, optionally, the field it names; or a success with its status.
 * A separate entry point (`@portico/kit/testing/expect`), so only test code loads vitest.
 */
import { expect } from 'vitest';
import type { TestResponse } from './index.ts';

export function expectProblem(res: TestResponse, status: number, code: string, field?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe(code);
  if (field !== undefined)
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
}

export function expectOk<T = any>(res: TestResponse<T>, status = 200): T {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}
