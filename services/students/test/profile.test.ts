import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import type {
  AccountBalanceData,
  CompetencyProgressData,
  EnrollmentData,
  GradeRecordedData,
} from '@portico/contracts';
import students from '../src/service.ts';
import { as, createStudent, expectOk, expectProblem, publishAs, uid } from './helpers.ts';

const skip = await matrixUnavailable();

const id = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

function course(code: string, credits: number) {
  return { course_id: id('course'), course_code: code, course_title: `${code} title`, credits };
}
type Course = ReturnType<typeof course>;

function enrollment(studentId: string, c: Course, over: Partial<EnrollmentData> = {}): EnrollmentData {
  return { enrollment_id: id('enr'), student_id: studentId, user_id: null, ...c, ...over };
}

function grade(e: EnrollmentData, g: string, points: number, score: number): GradeRecordedData {
  const { enrollment_id, student_id, course_id, course_code, course_title, credits, user_id } = e;
  return {
    enrollment_id,
    student_id,
    course_id,
    course_code,
    course_title,
    credits,
    user_id,
    score,
    grade: g,
    grade_points: points,
    scale: 'letter',
  };
}

describe.skipIf(skip)(`the student profile read model (${matrixLabel})`, () => {
  let env: TestServices;
  const staff = () => as(env, 'staff');
  const profileOf = async (studentId: string) =>
    expectOk(await staff().get(`/api/v1/students/${studentId}/profile`));
  /** Waits until the profile satisfies `check`, then returns it. */
  const profileWhen = (studentId: string, check: (p: any) => boolean) =>
    env.eventually(async () => {
      const p = await profileOf(studentId);
      return check(p) && p;
    });
  /**
   * Proves every event published before it was handled: a marker enrolment for a marker
   * student, published after them, shows on its profile only once the consumer got past them
   * (one consumer handles its events one at a time, in order).
   */
  let marker: { id: string };
  const settle = async () => {
    const e = enrollment(marker.id, course(id('MRK'), 1));
    await publishAs(env, 'curriculum', 'enrollment.created', e, { subject: e.enrollment_id });
    await profileWhen(marker.id, (p) => p.enrollments.some((x: any) => x.enrollment_id === e.enrollment_id));
  };

  beforeAll(async () => {
    env = await startTestServices([students]);
    marker = await createStudent(env);
  });
  afterAll(() => env?.stop());

  it('starts empty: no enrolments or grades, GPA 0.0, no account', async () => {
    const s = await createStudent(env);
    const p = await profileOf(s.id);
    expect(p).toMatchObject({
      student: { id: s.id, student_number: s.student_number },
      enrollments: [],
      grades: [],
      gpa: 0,
      graded_credits: 0,
      competencies: [],
      account: null,
      links: { self: `/api/v1/students/${s.id}/profile` },
    });
  });

  it('builds enrolments, grades, a credit-weighted GPA (2.86), progress and the balance from events', async () => {
    const login = uid('login');
    const s = await createStudent(env, { user_id: login });
    const math = enrollment(s.id, course('MAT101', 3), { user_id: login });
    const chem = enrollment(s.id, course('CHE101', 4), { user_id: login });
    for (const e of [math, chem])
      await publishAs(env, 'curriculum', 'enrollment.created', e, { subject: e.enrollment_id });
    await publishAs(env, 'curriculum', 'grade.recorded', grade(math, 'A', 4, 93.5), {
      subject: math.enrollment_id,
    });
    await publishAs(env, 'curriculum', 'grade.recorded', grade(chem, 'C', 2, 71), {
      subject: chem.enrollment_id,
    });
    const progress: CompetencyProgressData = {
      progress_id: id('prog'),
      student_id: s.id,
      competency_id: id('comp'),
      competency_code: 'MATH-NUM',
      status: 'achieved',
      proficiency_level: 3,
      assessed_by: id('staff'),
      user_id: login,
    };
    await publishAs(env, 'curriculum', 'competency.progress_recorded', progress, {
      subject: progress.progress_id,
    });
    const balance: AccountBalanceData = {
      account_id: id('acct'),
      student_id: s.id,
      balance: 125_000,
      currency: 'KES',
      user_id: login,
    };
    await publishAs(env, 'finance', 'account.balance_changed', balance, { subject: balance.account_id });

    const p = await profileWhen(
      s.id,
      (x) => x.grades.length === 2 && x.account !== null && x.competencies.length === 1,
    );
    expect(p.gpa).toBe(2.86);
    expect(p.graded_credits).toBe(7);
    expect(p.enrollments).toEqual([
      expect.objectContaining({
        enrollment_id: chem.enrollment_id,
        course_code: 'CHE101',
        credits: 4,
        status: 'active',
        dropped_at: null,
      }),
      expect.objectContaining({
        enrollment_id: math.enrollment_id,
        course_code: 'MAT101',
        course_title: 'MAT101 title',
        credits: 3,
        status: 'active',
      }),
    ]);
    expect(p.grades).toEqual([
      expect.objectContaining({ course_code: 'CHE101', grade: 'C', grade_points: 2, score: 71, credits: 4 }),
      expect.objectContaining({
        course_code: 'MAT101',
        grade: 'A',
        grade_points: 4,
        score: 93.5,
        credits: 3,
        scale: 'letter',
      }),
    ]);
    expect(p.competencies).toEqual([
      expect.objectContaining({
        competency_id: progress.competency_id,
        status: 'achieved',
        proficiency_level: 3,
      }),
    ]);
    expect(p.account).toEqual({ balance: 125_000, currency: 'KES' });
    // The student reads the same profile of their own.
    const own = expectOk(await as(env, 'student', login).get(`/api/v1/students/${s.id}/profile`));
    expect(own.gpa).toBe(2.86);
  });

  it('replaces a re-recorded grade, keeps the latest progress and balance', async () => {
    const s = await createStudent(env);
    const bio = enrollment(s.id, course('BIO201', 4));
    await publishAs(env, 'curriculum', 'enrollment.created', bio);
    await publishAs(env, 'curriculum', 'grade.recorded', grade(bio, 'D', 1, 62));
    await publishAs(env, 'curriculum', 'grade.recorded', grade(bio, 'B', 3, 84));
    const competency_id = id('comp');
    for (const [status, level] of [
      ['in_progress', 2],
      ['mastered', 4],
    ] as const) {
      await publishAs(env, 'curriculum', 'competency.progress_recorded', {
        progress_id: id('prog'),
        student_id: s.id,
        competency_id,
        competency_code: 'SCI-1',
        status,
        proficiency_level: level,
        assessed_by: 'st-1',
        user_id: null,
      } satisfies CompetencyProgressData);
    }
    for (const amount of [50_000, 20_000, -5_000])
      await publishAs(env, 'finance', 'account.balance_changed', {
        account_id: 'acct-1',
        student_id: s.id,
        balance: amount,
        currency: 'KES',
        user_id: null,
      } satisfies AccountBalanceData);
    const p = await profileWhen(s.id, (x) => x.account?.balance === -5_000);
    expect(p.grades).toHaveLength(1);
    expect(p.grades[0]).toMatchObject({ grade: 'B', grade_points: 3 });
    expect(p.gpa).toBe(3);
    expect(p.competencies).toEqual([expect.objectContaining({ status: 'mastered', proficiency_level: 4 })]);
  });

  it('marks a dropped enrolment dropped and keeps a grade recorded for it in the GPA', async () => {
    const s = await createStudent(env);
    const his = enrollment(s.id, course('HIS110', 2));
    const geo = enrollment(s.id, course('GEO110', 2));
    await publishAs(env, 'curriculum', 'enrollment.created', his);
    await publishAs(env, 'curriculum', 'enrollment.created', geo);
    await publishAs(env, 'curriculum', 'grade.recorded', grade(his, 'A', 4, 95));
    await publishAs(env, 'curriculum', 'enrollment.dropped', his);
    await publishAs(env, 'curriculum', 'enrollment.dropped', geo);
    const p = await profileWhen(
      s.id,
      (x) => x.enrollments.every((e: any) => e.status === 'dropped') && x.enrollments.length === 2,
    );
    expect(p.enrollments.find((e: any) => e.course_code === 'HIS110').dropped_at).not.toBeNull();
    expect(p.grades.map((g: any) => g.course_code)).toEqual(['HIS110']);
    expect(p.gpa).toBe(4);
  });

  it('converges whatever order events arrive in: a drop delivered before its (earlier) enrolment stays dropped', async () => {
    const s = await createStudent(env);
    const art = enrollment(s.id, course('ART100', 1));
    const created = makeEvent('curriculum', 'enrollment.created', art);
    const dropped = makeEvent('curriculum', 'enrollment.dropped', art);
    const createdLater = { ...created, time: new Date(Date.parse(dropped.time) - 60_000).toISOString() };
    await env.bus.publish(dropped);
    await env.bus.publish(createdLater);
    // An older balance delivered after a newer one does not overwrite it either.
    const newer = makeEvent('finance', 'account.balance_changed', {
      account_id: 'a',
      student_id: s.id,
      balance: 900,
      currency: 'KES',
      user_id: null,
    } satisfies AccountBalanceData);
    const older = {
      ...makeEvent('finance', 'account.balance_changed', { ...newer.data, balance: 100 }),
      time: new Date(Date.parse(newer.time) - 60_000).toISOString(),
    };
    await env.bus.publish(newer);
    await env.bus.publish(older);
    await settle();
    const p = await profileOf(s.id);
    expect(p.enrollments).toEqual([
      expect.objectContaining({
        enrollment_id: art.enrollment_id,
        status: 'dropped',
        enrolled_at: createdLater.time,
        dropped_at: dropped.time,
      }),
    ]);
    expect(p.account).toEqual({ balance: 900, currency: 'KES' });
  });

  it('changes nothing when an event id is delivered again, even with other content', async () => {
    const s = await createStudent(env);
    const e = enrollment(s.id, course('PHY101', 3));
    await publishAs(env, 'curriculum', 'enrollment.created', e);
    const first = makeEvent('curriculum', 'grade.recorded', grade(e, 'B', 3, 85));
    await env.bus.publish(first);
    await profileWhen(s.id, (x) => x.grades.length === 1);
    await env.bus.publish(first);
    await env.bus.publish({
      ...first,
      time: new Date(Date.parse(first.time) + 60_000).toISOString(),
      data: grade(e, 'F', 0, 10),
    });
    await settle();
    const p = await profileOf(s.id);
    expect(p.grades).toEqual([expect.objectContaining({ grade: 'B', grade_points: 3 })]);
    expect(p.gpa).toBe(3);
    expect(p.enrollments).toHaveLength(1);
  });

  it('stores events for a student it does not know yet, and answers the profile 404 until the record exists', async () => {
    const unknown = id('student');
    const e = enrollment(unknown, course('ENG100', 2));
    await publishAs(env, 'curriculum', 'enrollment.created', e);
    await settle();
    expectProblem(await staff().get(`/api/v1/students/${unknown}/profile`), 404, 'not_found');
    const stored = await env.services
      .get('students')!
      .deps.db.selectFrom('profile_enrollments')
      .select(['student_id', 'status'])
      .where('enrollment_id', '=', e.enrollment_id)
      .execute();
    expect(stored).toEqual([{ student_id: unknown, status: 'active' }]);
    expect(await env.services.get('students')!.deadLetters.list()).toEqual([]);
  });

  it('parks a malformed event as a dead letter without blocking the events after it', async () => {
    const s = await createStudent(env);
    const bad = makeEvent('finance', 'account.balance_changed', { student_id: s.id, balance: 'lots' });
    await env.bus.publish(bad);
    await publishAs(env, 'finance', 'account.balance_changed', {
      account_id: 'a',
      student_id: s.id,
      balance: 700,
      currency: 'KES',
      user_id: null,
    } satisfies AccountBalanceData);
    await profileWhen(s.id, (x) => x.account?.balance === 700);
    const parked = await env.eventually(async () =>
      (await env.services.get('students')!.deadLetters.list()).find((d) => d.event_id === bad.id),
    );
    expect(parked.error).toMatch(/account_id|balance/);
  });
});
