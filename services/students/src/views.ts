/** Rows → the public JSON shapes (snake_case, RFC 3339 times, links to related resources). */
import { gpa, gradedCredits } from './domain/gpa.ts';
import type { ProfileParts } from './repository/profile.ts';
import type { StudentRow } from './tables.ts';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

export function studentView(row: StudentRow) {
  return {
    id: row.id,
    student_number: row.student_number,
    email: row.email,
    full_name: row.full_name,
    phone: row.phone,
    address: row.address,
    date_of_birth: row.date_of_birth,
    status: row.status,
    user_id: row.user_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    links: { self: `/api/v1/students/${row.id}`, profile: `/api/v1/students/${row.id}/profile` },
  };
}
export type StudentView = ReturnType<typeof studentView>;

export function profileView(student: StudentRow, parts: ProfileParts) {
  return {
    student: studentView(student),
    enrollments: parts.enrollments.map((e) => ({
      enrollment_id: e.enrollment_id,
      course_id: e.course_id,
      course_code: e.course_code,
      course_title: e.course_title,
      credits: e.credits,
      status: e.status,
      enrolled_at: isoOrNull(e.enrolled_at),
      dropped_at: isoOrNull(e.dropped_at),
    })),
    grades: parts.grades.map((g) => ({
      enrollment_id: g.enrollment_id,
      course_id: g.course_id,
      course_code: g.course_code,
      course_title: g.course_title,
      credits: g.credits,
      score: g.score,
      grade: g.grade,
      grade_points: g.grade_points,
      scale: g.scale,
      recorded_at: iso(g.recorded_at),
    })),
    gpa: gpa(parts.grades),
    graded_credits: gradedCredits(parts.grades),
    competencies: parts.competencies.map((c) => ({
      competency_id: c.competency_id,
      competency_code: c.competency_code,
      progress_id: c.progress_id,
      status: c.status,
      proficiency_level: c.proficiency_level,
      assessed_by: c.assessed_by,
      recorded_at: iso(c.recorded_at),
    })),
    account: parts.account ? { balance: parts.account.balance, currency: parts.account.currency } : null,
    links: { self: `/api/v1/students/${student.id}/profile`, student: `/api/v1/students/${student.id}` },
  };
}
