import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import curriculum from '../src/service.ts';
import {
  admin,
  as,
  enrol,
  expectOk,
  expectProblem,
  feedInstructor,
  feedStudent,
  makeCourse,
  staff,
  studentEvent,
  uid,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`enrolments (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([curriculum]);
  });
  afterAll(() => env?.stop());

  it('enrols a known active student in a published course and takes a seat', async () => {
    const s = await feedStudent(env);
    const course = await makeCourse(env);
    const e = expectOk(await enrol(staff(env), s.id, course.id), 201);
    expect(e).toMatchObject({ student_id: s.id, course_id: course.id, status: 'active', grade: null });
    expect(expectOk(await admin(env).get(`/api/v1/courses/${course.id}`))).toMatchObject({
      enrolled: 1,
      seats_available: 24,
    });
  });

  it('answers 422 unknown_student naming student_id when students’ event has not arrived', async () => {
    const course = await makeCourse(env);
    expectProblem(
      await enrol(admin(env), uid('never-heard'), course.id),
      422,
      'unknown_student',
      'student_id',
    );
  });

  it('refuses an inactive student (422 student_inactive) and keeps their history when deactivated later', async () => {
    const course = await makeCourse(env);
    const inactive = await feedStudent(env, 'suspended');
    expectProblem(await enrol(admin(env), inactive.id, course.id), 422, 'student_inactive', 'student_id');

    const s = await feedStudent(env);
    const e = expectOk(await enrol(admin(env), s.id, course.id), 201);
    await env.bus.publish(studentEvent(s.id, s.userId, 'inactive', 'deactivated'));
    // A draft course as the probe: while the student is active it answers course_not_published
    // (no enrolment made), once the deactivation is in, student_inactive (checked first).
    const draft = await makeCourse(env, {}, false);
    await env.eventually(
      async () => (await enrol(admin(env), s.id, draft.id)).body?.code === 'student_inactive',
    );
    const other = await makeCourse(env);
    expectProblem(await enrol(admin(env), s.id, other.id), 422, 'student_inactive', 'student_id');
    expect(expectOk(await s.client.get(`/api/v1/enrollments/${e.id}`)).status).toBe('active');
  });

  it('ignores a stale student event that arrives after a newer one', async () => {
    const s = await feedStudent(env);
    const course = await makeCourse(env);
    const older = new Date(Date.now() - 60_000).toISOString();
    const stale = studentEvent(s.id, s.userId, 'inactive', 'updated', older);
    await env.bus.publish(stale);
    await env.bus.publish(stale); // a redelivery too: still no effect
    // A newer event for a marker student proves the stale one was processed before it.
    const marker = await feedStudent(env);
    expect(marker.id).toBeTruthy();
    expectOk(await enrol(admin(env), s.id, course.id), 201);
  });

  it('refuses an unpublished course (409 course_not_published) and an unknown one (422 naming course_id)', async () => {
    const s = await feedStudent(env);
    const draft = await makeCourse(env, {}, false);
    expectProblem(await enrol(admin(env), s.id, draft.id), 409, 'course_not_published', 'course_id');
    expectProblem(await enrol(admin(env), s.id, 'no-such-course'), 422, 'validation_failed', 'course_id');
  });

  it('refuses a second active enrolment (409 already_enrolled), allows one after a drop', async () => {
    const s = await feedStudent(env);
    const course = await makeCourse(env);
    const e = expectOk(await enrol(admin(env), s.id, course.id), 201);
    expectProblem(await enrol(admin(env), s.id, course.id), 409, 'already_enrolled');
    expect((await admin(env).delete(`/api/v1/enrollments/${e.id}`)).status).toBe(204);
    expectProblem(await admin(env).delete(`/api/v1/enrollments/${e.id}`), 409, 'invalid_state');
    expect(expectOk(await admin(env).get(`/api/v1/enrollments/${e.id}`)).status).toBe('dropped');
    expectOk(await enrol(admin(env), s.id, course.id), 201);
  });

  it('answers 409 course_full when no seat is left, and a drop frees the seat', async () => {
    const course = await makeCourse(env, { capacity: 1 });
    const [a, b] = [await feedStudent(env), await feedStudent(env)];
    const first = expectOk(await enrol(admin(env), a.id, course.id), 201);
    expectProblem(await enrol(admin(env), b.id, course.id), 409, 'course_full');
    expect((await admin(env).delete(`/api/v1/enrollments/${first.id}`)).status).toBe(204);
    expectOk(await enrol(admin(env), b.id, course.id), 201);
  });

  it('lets a student enrol themselves only where the course allows self-enrolment (else 403)', async () => {
    const s = await feedStudent(env);
    const closed = await makeCourse(env);
    const open = await makeCourse(env, { self_enrollment: true });
    expectProblem(await enrol(s.client, s.id, closed.id), 403, 'forbidden');
    expectOk(await s.client.post(`/api/v1/students/${s.id}/enrollments`, { course_id: open.id }), 201);
  });

  it('never lets a student enrol or read someone else (404 / an empty list)', async () => {
    const [s, other] = [await feedStudent(env), await feedStudent(env)];
    const open = await makeCourse(env, { self_enrollment: true });
    const theirs = expectOk(await enrol(admin(env), other.id, open.id), 201);
    expectProblem(await enrol(s.client, other.id, open.id), 404, 'not_found');
    expectProblem(await s.client.get(`/api/v1/students/${other.id}/enrollments`), 404, 'not_found');
    expectProblem(await s.client.get(`/api/v1/enrollments/${theirs.id}`), 404, 'not_found');
    expect(expectOk(await s.client.get(`/api/v1/enrollments?student_id=${other.id}`)).data).toEqual([]);
    expectProblem(await s.client.delete(`/api/v1/enrollments/${theirs.id}`), 404, 'not_found');
    const mine = expectOk(await enrol(s.client, s.id, open.id), 201);
    const list = expectOk(await s.client.get('/api/v1/enrollments'));
    expect(list.data.map((e: { id: string }) => e.id)).toEqual([mine.id]);
  });

  it('shows an instructor the rosters of the courses they teach, and no others', async () => {
    const teacher = await feedInstructor(env);
    const taught = await makeCourse(env, { instructor_id: teacher.staffId });
    const elsewhere = await makeCourse(env);
    const s = await feedStudent(env);
    const inTaught = expectOk(await enrol(admin(env), s.id, taught.id), 201);
    const inOther = expectOk(await enrol(admin(env), s.id, elsewhere.id), 201);
    const roster = expectOk(await teacher.client.get(`/api/v1/enrollments?course_id=${taught.id}`));
    expect(roster.data.map((e: { id: string }) => e.id)).toEqual([inTaught.id]);
    expect(expectOk(await teacher.client.get(`/api/v1/enrollments?course_id=${elsewhere.id}`)).data).toEqual(
      [],
    );
    expectProblem(await teacher.client.get(`/api/v1/enrollments/${inOther.id}`), 404, 'not_found');
    expectProblem(
      await teacher.client.post('/api/v1/enrollments', { student_id: s.id, course_id: taught.id }),
      403,
      'forbidden',
    );
  });

  it('publishes enrollment.created and enrollment.dropped with the student’s login', async () => {
    const seen: any[] = [];
    const sub = await env.bus.subscribe(
      { consumer: uid('probe'), types: ['enrollment.created', 'enrollment.dropped'] },
      async (ev) => {
        seen.push(ev);
      },
    );
    const s = await feedStudent(env);
    const course = await makeCourse(env);
    const e = expectOk(await enrol(admin(env), s.id, course.id), 201);
    await admin(env).delete(`/api/v1/enrollments/${e.id}`);
    await env.eventually(async () => seen.filter((ev) => ev.subject === e.id).length === 2);
    const [created, dropped] = seen.filter((ev) => ev.subject === e.id);
    expect(created.type).toBe('enrollment.created');
    expect(dropped.type).toBe('enrollment.dropped');
    expect(created.data).toMatchObject({
      student_id: s.id,
      user_id: s.userId,
      course_code: course.code,
      credits: 3,
    });
    await sub.stop();
  });

  it('refuses a user without an enrolment grant (403)', async () => {
    expectProblem(await as(env, uid('u'), ['user']).get('/api/v1/enrollments'), 403, 'forbidden');
  });
});
