/**
 * The education domains' error codes and role grants (students, curriculum, staff, finance);
 * their events are in education.ts.
 */
import { registerProblems, registerRoleGrants } from '@portico/kit';

export const curriculumProblems = registerProblems('curriculum', {
  course_full: { status: 409, title: 'Course is full' },
  already_enrolled: { status: 409, title: 'Already enrolled' },
  course_not_published: { status: 409, title: 'Course is not published' },
  student_inactive: { status: 422, title: 'Student is not active' },
  unknown_instructor: { status: 422, title: 'Unknown instructor' },
  unknown_student: { status: 422, title: 'Unknown student' },
} as const);

export const staffProblems = registerProblems('staff', {
  absence_overlap: { status: 409, title: 'Overlaps another absence' },
} as const);

export const financeProblems = registerProblems('finance', {
  credit_exceeds_balance: { status: 422, title: 'Credit exceeds the balance due' },
  currency_mismatch: { status: 422, title: "Currency differs from the account's" },
  invoice_not_payable: { status: 409, title: 'Invoice cannot take payments' },
  overpayment: { status: 422, title: 'Payment exceeds the balance due' },
  refund_exceeds_payment: { status: 422, title: 'Refund exceeds what was paid' },
} as const);

// students
registerRoleGrants({
  staff: ['students:*'],
  instructor: ['students:read'],
  student: ['students:read:own'],
});
// curriculum
registerRoleGrants({
  staff: ['competencies:*', 'courses:*', 'programs:*', 'enrollments:*', 'grades:*'],
  instructor: ['courses:read', 'competencies:read', 'enrollments:read', 'grades:write'],
  student: ['courses:read', 'competencies:read', 'enrollments:*:own'],
  user: ['courses:read', 'competencies:read'],
});
// staff
registerRoleGrants({ staff: ['departments:read', 'staff:read', 'absences:*:own'] });
// finance
registerRoleGrants({
  staff: ['finance:*', 'invoices:*', 'payments:*'],
  student: ['invoices:read:own', 'payments:create:own', 'finance:read:own'],
});
