/**
 * A school day end to end, through the gateway (issue "Education I"): an admin sets up a
 * student linked to a new login, a CBC course with a competency and a British course with a
 * subject; the student enrols in both; the instructor records assessments and final grades;
 * the student sees grades, competency progress and GPA on their profile, and notifications —
 * while another student sees none of it. Plus the rules that guard it: capacity under a race,
 * inactive students, unpublished courses, who may grade.
 */
import { ifMatchOf } from '@portico/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';
import {
  createCourse,
  createInstructor,
  createStudent,
  enrol,
  notificationsOf,
  postWhenReady,
  uid,
  type Student,
} from './school.ts';

const skip = await systemUnavailable();

describe.skipIf(skip)(`a school day through the gateway (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let teacher: Awaited<ReturnType<typeof createInstructor>>;
  let otherTeacher: Awaited<ReturnType<typeof createInstructor>>;
  let amina: Student;
  let brian: Student;

  beforeAll(async () => {
    sys = await startSystem({ services: ['students', 'curriculum', 'staff', 'finance', 'notifications'] });
    admin = await sys.admin();
    [teacher, otherTeacher] = await Promise.all([createInstructor(sys, admin), createInstructor(sys, admin)]);
    [amina, brian] = await Promise.all([createStudent(sys, admin), createStudent(sys, admin)]);
  }, 240_000);
  afterAll(() => sys?.stop());

  it('runs a CBC and a British course from set-up to the student seeing a GPA, and hides it from others', async () => {
    const competency = await admin.client.post('/api/v1/competencies', {
      code: `MATH-${uid()}`.toUpperCase(),
      title: 'Numeracy',
      learning_area: 'mathematics',
      pillar: 'critical_thinking_problem_solving',
      core: true,
    });
    expect(competency.status, JSON.stringify(competency.body)).toBe(201);
    const subject = await admin.client.post('/api/v1/subjects', {
      code: `PHY-${uid()}`.toUpperCase(),
      name: 'Physics',
      level: 'igcse',
      exam_board: 'Cambridge',
    });
    expect(subject.status, JSON.stringify(subject.body)).toBe(201);

    const cbc = await createCourse(sys, admin, {
      framework: 'cbc',
      credits: 3,
      instructorId: teacher.staffId,
      competencyIds: [competency.body.id],
    });
    const british = await createCourse(sys, admin, {
      framework: 'british',
      credits: 4,
      instructorId: teacher.staffId,
      subjectId: subject.body.id,
    });

    // The student enrols themselves in both (self-enrolment is allowed on these courses).
    const inCbc = await enrol(sys, amina.session, amina.id, cbc.id);
    const inBritish = await enrol(sys, amina.session, amina.id, british.id);

    // The instructor records an assessment, then the final grades: A (92) and C (71).
    const assessment = await teacher.session.client.post(`/api/v1/courses/${cbc.id}/assessments`, {
      title: 'Fractions quiz',
      kind: 'formative',
      max_score: 50,
      weight: 1,
    });
    expect(assessment.status, JSON.stringify(assessment.body)).toBe(201);
    const submission = await teacher.session.client.post(
      `/api/v1/assessments/${assessment.body.id}/submissions`,
      {
        student_id: amina.id,
        score: 46,
      },
    );
    expect(submission.status, JSON.stringify(submission.body)).toBe(201);
    const grade = async (id: string, score: number) =>
      teacher.session.client.put(
        `/api/v1/enrollments/${id}/grade`,
        { score },
        await ifMatchOf(teacher.session.client, `/api/v1/enrollments/${id}`),
      );
    const gradeA = await grade(inCbc.id, 92);
    expect(gradeA.status, JSON.stringify(gradeA.body)).toBe(200);
    expect(gradeA.body.grade.grade).toBe('E'); // CBC: Exceeding expectations
    const gradeC = await grade(inBritish.id, 71);
    expect(gradeC.status, JSON.stringify(gradeC.body)).toBe(200);
    expect(gradeC.body.grade.grade).toBe('B'); // British: B ≥ 70

    const progress = await teacher.session.client.post('/api/v1/competency-progress', {
      student_id: amina.id,
      competency_id: competency.body.id,
      status: 'achieved',
      proficiency_level: 3,
    });
    expect(progress.status, JSON.stringify(progress.body)).toBe(201);

    // The student's profile, kept from events: both courses, both grades, GPA (4×3 + 2×4)/7.
    const me = await amina.session.client.get('/api/v1/students/me');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(amina.id);
    const profile = await sys.eventually(async () => {
      const res = await amina.session.client.get(`/api/v1/students/${amina.id}/profile`);
      return res.status === 200 && res.body.grades?.length === 2 && res.body.competencies?.length === 1
        ? res.body
        : null;
    }, 20_000);
    expect(profile.enrollments).toHaveLength(2);
    expect(profile.gpa).toBeCloseTo(2.86, 2);
    const mine = await amina.session.client.get(`/api/v1/students/${amina.id}/competency-progress`);
    expect(mine.status).toBe(200);
    expect(mine.body.data[0]).toMatchObject({ competency_id: competency.body.id, status: 'achieved' });

    // Notifications: the enrolments and the grades reach the student.
    const notes = await sys.eventually(async () => {
      const n = await notificationsOf(amina.session);
      return n.length >= 4 ? n : null;
    });
    expect(notes.length).toBeGreaterThanOrEqual(4);

    // Another student sees none of it.
    for (const path of [
      `/api/v1/students/${amina.id}`,
      `/api/v1/students/${amina.id}/profile`,
      `/api/v1/students/${amina.id}/competency-progress`,
      `/api/v1/enrollments/${inCbc.id}`,
    ]) {
      const res = await brian.session.client.get(path);
      expect(res.status, path).toBe(404);
    }
    const brianList = await brian.session.client.get(`/api/v1/enrollments?student_id=${amina.id}`);
    expect(brianList.body.data ?? []).toHaveLength(0);
    const brianNotes = await notificationsOf(brian.session);
    expect(
      brianNotes.filter((n) =>
        [cbc.code, british.code, cbc.title, british.title].some((c) => n.body.includes(c)),
      ),
    ).toHaveLength(0);
  });

  it('refuses grading by an instructor of another course and by a student (403)', async () => {
    const course = await createCourse(sys, admin, { instructorId: teacher.staffId });
    const e = await enrol(sys, admin, brian.id, course.id);
    const current = await ifMatchOf(teacher.session.client, `/api/v1/enrollments/${e.id}`);
    const byOther = await otherTeacher.session.client.put(
      `/api/v1/enrollments/${e.id}/grade`,
      { score: 80 },
      current,
    );
    expect(byOther.status).toBe(403);
    const byStudent = await brian.session.client.put(
      `/api/v1/enrollments/${e.id}/grade`,
      { score: 100 },
      current,
    );
    expect(byStudent.status).toBe(403);
    const outOfRange = await teacher.session.client.put(`/api/v1/enrollments/${e.id}/grade`, { score: 101 });
    expect(outOfRange.status).toBe(422);
    expect(outOfRange.body.errors[0].field).toBe('score');
  });

  it('lets exactly `capacity` of many parallel enrolments in, and answers the rest 409 course_full', async () => {
    const course = await createCourse(sys, admin, { capacity: 5 });
    const students = await Promise.all(Array.from({ length: 8 }, () => createStudent(sys, admin)));
    // Wait until curriculum knows every student (their student.created has arrived).
    const probe = await createCourse(sys, admin, { capacity: 100 });
    for (const s of students) await enrol(sys, admin, s.id, probe.id);

    const results = await Promise.all(
      students.map((s) =>
        admin.client.post('/api/v1/enrollments', { student_id: s.id, course_id: course.id }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const full = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(5);
    expect(full).toHaveLength(3);
    for (const r of full) expect(r.body.code).toBe('course_full');
  });

  it('refuses an inactive student and an unpublished course with a code', async () => {
    const leaver = await createStudent(sys, admin);
    const open = await createCourse(sys, admin);
    await enrol(sys, admin, leaver.id, open.id); // curriculum knows the student
    expect((await admin.client.delete(`/api/v1/students/${leaver.id}`)).status).toBeLessThan(300);
    const other = await createCourse(sys, admin);
    const refused = await postWhenReady(
      sys,
      admin,
      '/api/v1/enrollments',
      { student_id: leaver.id, course_id: other.id },
      422,
    );
    expect(refused.code).toBe('student_inactive');
    // The history stays: the earlier enrolment is still listed.
    const history = await admin.client.get(`/api/v1/enrollments?student_id=${leaver.id}`);
    expect(history.body.data).toHaveLength(1);

    const draft = await createCourse(sys, admin, { publish: false });
    const res = await admin.client.post('/api/v1/enrollments', { student_id: brian.id, course_id: draft.id });
    expect([409, 422]).toContain(res.status);
    expect(res.body.code).toBe('course_not_published');
  });
});
