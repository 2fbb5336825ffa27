/**
 * Events of the education suite (students, curriculum, staff, finance). Every payload names the
 * person concerned in `user_id` (the student's or staff member's linked login, or null), so
 * notifications and webhooks deliver to that person only. Money is integer minor units with an
 * ISO 4217 currency. Adding an optional field is compatible; a breaking change is a new type.
 */

export type StudentStatus = 'active' | 'inactive' | 'graduated' | 'suspended';

/** `student.created`, `student.updated`, `student.deactivated`: the record as it now is. */
export interface StudentData {
  student_id: string;
  student_number: string;
  email: string;
  full_name: string;
  status: StudentStatus;
  user_id: string | null;
}

export interface StudentEvents {
  'student.created': StudentData;
  'student.updated': StudentData;
  'student.deactivated': StudentData;
}

export type CourseFramework = 'generic' | 'cbc' | 'british';
export type GradingScale = 'letter' | 'cbc' | 'british';

export interface CoursePublishedData {
  course_id: string;
  code: string;
  title: string;
  credits: number;
  capacity: number;
  framework: CourseFramework;
  grading_scale: GradingScale;
  instructor_id: string | null;
}

export interface EnrollmentData {
  enrollment_id: string;
  student_id: string;
  course_id: string;
  course_code: string;
  course_title: string;
  credits: number;
  user_id: string | null;
}

export interface GradeRecordedData {
  enrollment_id: string;
  student_id: string;
  course_id: string;
  course_code: string;
  course_title: string;
  credits: number;
  /** Percentage 0–100. */
  score: number;
  /** The grade on the course's scale (A, B+, E, A*, …). */
  grade: string;
  /** 4/3/2/1/0 from the 90/80/70/60 bands. */
  grade_points: number;
  scale: GradingScale;
  user_id: string | null;
}

export type CompetencyStatus = 'not_started' | 'in_progress' | 'achieved' | 'mastered';

export interface CompetencyProgressData {
  progress_id: string;
  student_id: string;
  competency_id: string;
  competency_code: string;
  status: CompetencyStatus;
  /** 1–4. */
  proficiency_level: number;
  assessed_by: string;
  user_id: string | null;
}

export interface CurriculumEvents {
  'course.published': CoursePublishedData;
  'enrollment.created': EnrollmentData;
  'enrollment.dropped': EnrollmentData;
  'grade.recorded': GradeRecordedData;
  'competency.progress_recorded': CompetencyProgressData;
}

/** `staff.created`, `staff.updated`, `staff.deactivated`: the record as it now is. */
export interface StaffData {
  staff_id: string;
  employee_number: string;
  email: string;
  full_name: string;
  position: string;
  department_id: string;
  status: 'active' | 'inactive';
  user_id: string | null;
}

export interface AbsenceData {
  absence_id: string;
  staff_id: string;
  start_date: string;
  end_date: string;
  status: 'pending' | 'approved' | 'rejected';
  decided_by: string | null;
  user_id: string | null;
}

export interface StaffEvents {
  'staff.created': StaffData;
  'staff.updated': StaffData;
  'staff.deactivated': StaffData;
  'absence.requested': AbsenceData;
  'absence.approved': AbsenceData;
  'absence.rejected': AbsenceData;
}

export interface InvoiceData {
  invoice_id: string;
  number: string;
  student_id: string;
  /** Minor units. */
  total: number;
  balance_due: number;
  currency: string;
  due_date: string;
  /** The enrolment that issued it automatically, if any. */
  enrollment_id: string | null;
  user_id: string | null;
}

export interface PaymentData {
  payment_id: string;
  invoice_id: string;
  invoice_number: string;
  student_id: string;
  amount: number;
  currency: string;
  /** What is still owed on the invoice after this payment. */
  balance_due: number;
  user_id: string | null;
}

export interface RefundData {
  refund_id: string;
  payment_id: string;
  invoice_id: string;
  student_id: string;
  amount: number;
  currency: string;
  user_id: string | null;
}

/** After every ledger movement of a student's account: what the student owes now (may be < 0: a credit). */
export interface AccountBalanceData {
  account_id: string;
  student_id: string;
  balance: number;
  currency: string;
  user_id: string | null;
}

export interface FinanceEvents {
  'invoice.issued': InvoiceData;
  'invoice.paid': InvoiceData;
  'invoice.overdue': InvoiceData;
  'invoice.voided': InvoiceData;
  'payment.received': PaymentData;
  'payment.refunded': RefundData;
  'account.balance_changed': AccountBalanceData;
}
