import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import curriculum from '../src/service.ts';
import { admin, enrol, expectOk, feedStudent, feedStudents, makeCourse } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`seats under concurrency (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([curriculum]);
  });
  afterAll(() => env?.stop());

  it('gives exactly 25 of 30 parallel enrolments into a 25-seat course; the rest 409 course_full', async () => {
    const students = await feedStudents(env, 30);
    const course = await makeCourse(env, { capacity: 25 });
    const results = await Promise.all(students.map((s) => enrol(admin(env), s.id, course.id)));
    const byStatus = results.reduce<Record<number, number>>(
      (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
      {},
    );
    expect(byStatus).toEqual({ 201: 25, 409: 5 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'course_full')).toBe(true);
    expect(expectOk(await admin(env).get(`/api/v1/courses/${course.id}`))).toMatchObject({
      enrolled: 25,
      seats_available: 0,
    });
    const roster = expectOk(await admin(env).get(`/api/v1/enrollments?course_id=${course.id}&limit=100`));
    expect(roster.data).toHaveLength(25);
  });

  it('lets the same student win only once when they race themselves', async () => {
    const s = await feedStudent(env);
    const course = await makeCourse(env, { capacity: 10 });
    const results = await Promise.all(Array.from({ length: 8 }, () => enrol(admin(env), s.id, course.id)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.code === 'already_enrolled')).toBe(
      true,
    );
    expect(expectOk(await admin(env).get(`/api/v1/courses/${course.id}`)).enrolled).toBe(1);
  });
});
