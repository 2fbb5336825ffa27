import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import {
  ifMatchOf,
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  type TestClient,
  type TestServices,
} from '@portico/kit/testing';
import curriculum from '../src/service.ts';
import {
  admin,
  enrol,
  expectOk,
  expectProblem,
  feedInstructor,
  feedStudent,
  makeCourse,
  staff,
  uid,
  type TestInstructor,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`grades, assessments and submissions (${matrixLabel})`, () => {
  let env: TestServices;
  let teacher: TestInstructor;
  let otherTeacher: TestInstructor;
  beforeAll(async () => {
    env = await startTestServices([curriculum]);
    teacher = await feedInstructor(env);
    otherTeacher = await feedInstructor(env);
  });
  afterAll(() => env?.stop());

  async function enrolled(extra: Record<string, unknown> = {}) {
    const s = await feedStudent(env);
    const course = await makeCourse(env, { instructor_id: teacher.staffId, ...extra });
    const e = expectOk(await enrol(admin(env), s.id, course.id), 201);
    return { s, course, e };
  }

  /** Grades carry If-Match (required: lost updates cost grades), read fresh by an admin. */
  const gradeAs = async (who: TestClient, enrollmentId: string, score: number) =>
    who.put(
      `/api/v1/enrollments/${enrollmentId}/grade`,
      { score },
      await ifMatchOf(admin(env), `/api/v1/enrollments/${enrollmentId}`),
    );

  it('lets the course’s instructor record a grade on the course’s scale', async () => {
    const { e } = await enrolled({ framework: 'generic' });
    const graded = expectOk(await gradeAs(teacher.client, e.id, 89.99));
    expect(graded.grade).toMatchObject({
      score: 89.99,
      grade: 'B',
      grade_points: 3,
      scale: 'letter',
      credits: 3,
    });
    expect(graded.grade.graded_by).toBe(teacher.userId);
  });

  it('answers 403 to an instructor of another course and to a student; 422 outside 0–100', async () => {
    const { s, e } = await enrolled();
    expectProblem(await gradeAs(otherTeacher.client, e.id, 90), 403, 'forbidden');
    expectProblem(await gradeAs(s.client, e.id, 100), 403, 'forbidden');
    expectProblem(await gradeAs(staff(env), e.id, 100.5), 422, 'validation_failed', 'score');
    expectProblem(await gradeAs(staff(env), e.id, -1), 422, 'validation_failed', 'score');
    expect(expectOk(await s.client.get(`/api/v1/enrollments/${e.id}`)).grade).toBeNull();
  });

  it('requires If-Match to record a grade: 428 without, 412 when another grade was recorded since', async () => {
    const { e } = await enrolled();
    const url = `/api/v1/enrollments/${e.id}/grade`;
    expectProblem(await teacher.client.put(url, { score: 70 }), 428, 'precondition_required');
    const seen = await ifMatchOf(teacher.client, `/api/v1/enrollments/${e.id}`);
    expectOk(await teacher.client.put(url, { score: 70 }, seen));
    expectProblem(await teacher.client.put(url, { score: 40 }, seen), 412, 'precondition_failed');
    expect(expectOk(await teacher.client.get(`/api/v1/enrollments/${e.id}`)).grade.score).toBe(70);
  });

  it('grades a British course A*…U and a CBC course E/M/A/B', async () => {
    const subject = expectOk(
      await admin(env).post('/api/v1/subjects', { code: uid('CHEM'), name: 'Chemistry', level: 'a_level' }),
      201,
    );
    const brit = await enrolled({ framework: 'british', subject_id: subject.id });
    expect(expectOk(await gradeAs(staff(env), brit.e.id, 39.99)).grade).toMatchObject({
      grade: 'U',
      grade_points: 0,
      scale: 'british',
    });
    const comp = expectOk(
      await admin(env).post('/api/v1/competencies', {
        code: uid('MA'),
        title: 'Counts',
        learning_area: 'mathematics',
      }),
      201,
    );
    const cbc = await enrolled({ framework: 'cbc', competency_ids: [comp.id] });
    expect(expectOk(await gradeAs(staff(env), cbc.e.id, 70)).grade).toMatchObject({
      grade: 'M',
      label: 'Meeting expectations',
      grade_points: 2,
      scale: 'cbc',
    });
  });

  it('computes the final grade from weighted assessments: Σ(pct × weight) / Σweight', async () => {
    const { s, course, e } = await enrolled();
    const quiz = expectOk(
      await teacher.client.post(`/api/v1/courses/${course.id}/assessments`, {
        title: 'Quiz',
        kind: 'formative',
        max_score: 20,
        weight: 1,
      }),
      201,
    );
    const exam = expectOk(
      await teacher.client.post(`/api/v1/courses/${course.id}/assessments`, {
        title: 'Exam',
        kind: 'summative',
        max_score: 50,
        weight: 3,
      }),
      201,
    );
    // Ungraded assessments (no submission) do not count.
    expectOk(
      await teacher.client.post(`/api/v1/courses/${course.id}/assessments`, {
        title: 'Diagnostic',
        kind: 'diagnostic',
        max_score: 10,
        weight: 5,
      }),
      201,
    );
    expectProblem(
      await teacher.client.post(`/api/v1/enrollments/${e.id}/grade/compute`),
      409,
      'invalid_state',
    );
    const first = await teacher.client.post(`/api/v1/assessments/${quiz.id}/submissions`, {
      student_id: s.id,
      score: 10,
    });
    expect(expectOk(first, 201).percentage).toBe(50);
    // A second submission updates the score (200), it does not add one.
    const again = expectOk(
      await teacher.client.post(`/api/v1/assessments/${quiz.id}/submissions`, {
        student_id: s.id,
        score: 16,
      }),
      200,
    );
    expect(again).toMatchObject({ id: first.body.id, score: 16, percentage: 80 });
    expectOk(
      await teacher.client.post(`/api/v1/assessments/${exam.id}/submissions`, {
        student_id: s.id,
        score: 50,
      }),
      201,
    );
    // (80 × 1 + 100 × 3) / 4 = 95 → A
    const graded = expectOk(await teacher.client.post(`/api/v1/enrollments/${e.id}/grade/compute`));
    expect(graded.grade).toMatchObject({ score: 95, grade: 'A', grade_points: 4 });
    expect(expectOk(await s.client.get(`/api/v1/enrollments/${e.id}`)).grade).toMatchObject({ grade: 'A' });
  });

  it('checks submissions: score within 0..max_score, the student enrolled, the caller teaching the course', async () => {
    const { s, course } = await enrolled();
    const outsider = await feedStudent(env);
    const a = expectOk(
      await staff(env).post(`/api/v1/courses/${course.id}/assessments`, {
        title: 'Lab',
        kind: 'formative',
        max_score: 10,
        weight: 1,
      }),
      201,
    );
    expectProblem(
      await staff(env).post(`/api/v1/courses/${course.id}/assessments`, {
        title: 'Zero',
        kind: 'formative',
        max_score: 0,
        weight: 1,
      }),
      422,
      'validation_failed',
      'max_score',
    );
    const url = `/api/v1/assessments/${a.id}/submissions`;
    expectProblem(
      await staff(env).post(url, { student_id: s.id, score: 10.5 }),
      422,
      'validation_failed',
      'score',
    );
    expectProblem(
      await staff(env).post(url, { student_id: outsider.id, score: 5 }),
      422,
      'validation_failed',
      'student_id',
    );
    expectProblem(await otherTeacher.client.post(url, { student_id: s.id, score: 5 }), 403, 'forbidden');
    expectProblem(await s.client.post(url, { student_id: s.id, score: 10 }), 403, 'forbidden');
    expectOk(await staff(env).post(url, { student_id: s.id, score: 7 }), 201);
    expect(expectOk(await s.client.get(url)).data).toHaveLength(1);
  });

  it('shows a student only their own submissions', async () => {
    const { s, course } = await enrolled({ self_enrollment: true });
    const classmate = await feedStudent(env);
    expectOk(await enrol(admin(env), classmate.id, course.id), 201);
    const a = expectOk(
      await staff(env).post(`/api/v1/courses/${course.id}/assessments`, {
        title: 'T',
        kind: 'summative',
        max_score: 10,
        weight: 1,
      }),
      201,
    );
    const url = `/api/v1/assessments/${a.id}/submissions`;
    expectOk(await staff(env).post(url, { student_id: s.id, score: 6 }), 201);
    expectOk(await staff(env).post(url, { student_id: classmate.id, score: 9 }), 201);
    const mine = expectOk(await s.client.get(url)).data;
    expect(mine.map((x: { student_id: string }) => x.student_id)).toEqual([s.id]);
    expect(expectOk(await teacher.client.get(url)).data).toHaveLength(2);
  });

  it('stops a deactivated instructor from grading and from being assigned, and lets an instructor see their drafts', async () => {
    const t = await feedInstructor(env);
    const draft = await makeCourse(env, { instructor_id: t.staffId }, false);
    expect(expectOk(await t.client.get(`/api/v1/courses/${draft.id}`)).status).toBe('draft');
    expectProblem(await otherTeacher.client.get(`/api/v1/courses/${draft.id}`), 404, 'not_found');
    const course = await makeCourse(env, { instructor_id: t.staffId });
    const s = await feedStudent(env);
    const e = expectOk(await enrol(admin(env), s.id, course.id), 201);
    expectOk(await gradeAs(t.client, e.id, 81));
    await env.bus.publish(
      makeEvent(
        'staff',
        'staff.deactivated',
        {
          staff_id: t.staffId,
          employee_number: 'EMP-X',
          email: `${t.staffId}@school.test`,
          full_name: 'Gone',
          position: 'Teacher',
          department_id: 'dept-1',
          status: 'inactive',
          user_id: t.userId,
        },
        { subject: t.staffId },
      ),
    );
    // Once curriculum has the event, the draft they taught is no longer theirs to see.
    await env.eventually(async () => (await t.client.get(`/api/v1/courses/${draft.id}`)).status === 404);
    expectProblem(await gradeAs(t.client, e.id, 95), 403, 'forbidden');
    expectProblem(
      await admin(env).post('/api/v1/courses', {
        code: uid('X'),
        title: 'T',
        credits: 1,
        capacity: 5,
        framework: 'generic',
        instructor_id: t.staffId,
      }),
      422,
      'unknown_instructor',
      'instructor_id',
    );
    // The grade recorded before stays.
    expect(expectOk(await s.client.get(`/api/v1/enrollments/${e.id}`)).grade).toMatchObject({
      score: 81,
      grade: 'B',
    });
  });

  it('publishes grade.recorded with the grade on the course’s scale, its points and credits', async () => {
    const seen: any[] = [];
    const sub = await env.bus.subscribe({ consumer: uid('probe'), types: ['grade.recorded'] }, async (ev) => {
      seen.push(ev);
    });
    const { s, course, e } = await enrolled({ credits: 4 });
    expectOk(await gradeAs(teacher.client, e.id, 72));
    await env.eventually(async () => seen.some((ev) => ev.subject === e.id));
    expect(seen.find((ev) => ev.subject === e.id).data).toEqual({
      enrollment_id: e.id,
      student_id: s.id,
      course_id: course.id,
      course_code: course.code,
      course_title: course.title,
      credits: 4,
      score: 72,
      grade: 'C',
      grade_points: 2,
      scale: 'letter',
      user_id: s.userId,
    });
    await sub.stop();
  });
});
