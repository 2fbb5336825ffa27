/**
 * SQL for the profile read model. Writers are upserts that apply only when their event is
 * later than the one that last wrote the row — compared as (event time, event id) — so the
 * model converges to the same state whatever order events are delivered in. (The kit's inbox
 * already drops a redelivered event id before these run.)
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccountRow, CompetencyRow, EnrollmentRow, GradeRow, StudentsDatabase } from '../tables.ts';

type Db = Kysely<StudentsDatabase> | Transaction<StudentsDatabase>;

/** Which event wrote a row: its envelope's time and id. */
export interface EventStamp {
  time: string;
  id: string;
}

export interface EnrollmentFact {
  enrollment_id: string;
  student_id: string;
  course_id: string;
  course_code: string;
  course_title: string;
  credits: number;
  status: 'active' | 'dropped';
}

export async function applyEnrollment(db: Db, f: EnrollmentFact, at: EventStamp): Promise<void> {
  await sql`
    insert into profile_enrollments
      (enrollment_id, student_id, course_id, course_code, course_title, credits, status,
       enrolled_at, dropped_at, event_time, event_id)
    values (${f.enrollment_id}, ${f.student_id}, ${f.course_id}, ${f.course_code}, ${f.course_title},
            ${f.credits}, ${f.status},
            ${f.status === 'active' ? at.time : null}, ${f.status === 'dropped' ? at.time : null},
            ${at.time}, ${at.id})
    on conflict (enrollment_id) do update set
      student_id = excluded.student_id, course_id = excluded.course_id,
      course_code = excluded.course_code, course_title = excluded.course_title,
      credits = excluded.credits, status = excluded.status,
      event_time = excluded.event_time, event_id = excluded.event_id
    where (excluded.event_time, excluded.event_id) > (profile_enrollments.event_time, profile_enrollments.event_id)
  `.execute(db);
  // When it was enrolled and dropped are facts of their own events, kept whichever came last.
  const column = f.status === 'active' ? 'enrolled_at' : 'dropped_at';
  await db
    .updateTable('profile_enrollments')
    .set({ [column]: at.time })
    .where('enrollment_id', '=', f.enrollment_id)
    .where(column, 'is', null)
    .execute();
}

export interface GradeFact {
  student_id: string;
  course_id: string;
  enrollment_id: string;
  course_code: string;
  course_title: string;
  credits: number;
  score: number;
  grade: string;
  grade_points: number;
  scale: string;
}

export async function applyGrade(db: Db, f: GradeFact, at: EventStamp): Promise<void> {
  await sql`
    insert into profile_grades
      (student_id, course_id, enrollment_id, course_code, course_title, credits, score, grade,
       grade_points, scale, recorded_at, event_id)
    values (${f.student_id}, ${f.course_id}, ${f.enrollment_id}, ${f.course_code}, ${f.course_title},
            ${f.credits}, ${f.score}, ${f.grade}, ${f.grade_points}, ${f.scale}, ${at.time}, ${at.id})
    on conflict (student_id, course_id) do update set
      enrollment_id = excluded.enrollment_id, course_code = excluded.course_code,
      course_title = excluded.course_title, credits = excluded.credits, score = excluded.score,
      grade = excluded.grade, grade_points = excluded.grade_points, scale = excluded.scale,
      recorded_at = excluded.recorded_at, event_id = excluded.event_id
    where (excluded.recorded_at, excluded.event_id) > (profile_grades.recorded_at, profile_grades.event_id)
  `.execute(db);
}

export interface CompetencyFact {
  student_id: string;
  competency_id: string;
  competency_code: string;
  progress_id: string;
  status: string;
  proficiency_level: number;
  assessed_by: string;
}

export async function applyCompetency(db: Db, f: CompetencyFact, at: EventStamp): Promise<void> {
  await sql`
    insert into profile_competencies
      (student_id, competency_id, competency_code, progress_id, status, proficiency_level,
       assessed_by, recorded_at, event_id)
    values (${f.student_id}, ${f.competency_id}, ${f.competency_code}, ${f.progress_id}, ${f.status},
            ${f.proficiency_level}, ${f.assessed_by}, ${at.time}, ${at.id})
    on conflict (student_id, competency_id) do update set
      competency_code = excluded.competency_code, progress_id = excluded.progress_id,
      status = excluded.status, proficiency_level = excluded.proficiency_level,
      assessed_by = excluded.assessed_by, recorded_at = excluded.recorded_at,
      event_id = excluded.event_id
    where (excluded.recorded_at, excluded.event_id) > (profile_competencies.recorded_at, profile_competencies.event_id)
  `.execute(db);
}

export interface BalanceFact {
  student_id: string;
  account_id: string;
  balance: number;
  currency: string;
}

export async function applyBalance(db: Db, f: BalanceFact, at: EventStamp): Promise<void> {
  await sql`
    insert into profile_accounts (student_id, account_id, balance, currency, changed_at, event_id)
    values (${f.student_id}, ${f.account_id}, ${f.balance}, ${f.currency}, ${at.time}, ${at.id})
    on conflict (student_id) do update set
      account_id = excluded.account_id, balance = excluded.balance, currency = excluded.currency,
      changed_at = excluded.changed_at, event_id = excluded.event_id
    where (excluded.changed_at, excluded.event_id) > (profile_accounts.changed_at, profile_accounts.event_id)
  `.execute(db);
}

export interface ProfileParts {
  enrollments: EnrollmentRow[];
  grades: GradeRow[];
  competencies: CompetencyRow[];
  account: AccountRow | undefined;
}

/** Everything the read model holds for one student, in a stable order (by code). */
export async function readProfile(db: Db, studentId: string): Promise<ProfileParts> {
  const [enrollments, grades, competencies, account] = await Promise.all([
    db
      .selectFrom('profile_enrollments')
      .selectAll()
      .where('student_id', '=', studentId)
      .orderBy('course_code')
      .orderBy('enrollment_id')
      .execute(),
    db
      .selectFrom('profile_grades')
      .selectAll()
      .where('student_id', '=', studentId)
      .orderBy('course_code')
      .orderBy('course_id')
      .execute(),
    db
      .selectFrom('profile_competencies')
      .selectAll()
      .where('student_id', '=', studentId)
      .orderBy('competency_code')
      .orderBy('competency_id')
      .execute(),
    db.selectFrom('profile_accounts').selectAll().where('student_id', '=', studentId).executeTakeFirst(),
  ]);
  return { enrollments, grades, competencies, account };
}
