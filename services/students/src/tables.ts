/** The service's tables, as Kysely sees them (see migrations/). */
import type { ColumnType, Generated, GeneratedAlways, Selectable } from 'kysely';
import type { StudentStatus } from '@portico/contracts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type EventTimestamp = ColumnType<Date, Date | string, Date | string>;
type NullableEventTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export interface StudentsTable {
  id: string;
  student_number: string;
  email: string;
  full_name: string;
  /** lower(full_name): the key `sort=full_name` pages on. */
  name_key: GeneratedAlways<string>;
  phone: string | null;
  address: string | null;
  /** A `date` column; always read back as `YYYY-MM-DD` text (see repository/students.ts). */
  date_of_birth: ColumnType<string | null, string | null, string | null>;
  status: Generated<StudentStatus>;
  user_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProfileEnrollmentsTable {
  enrollment_id: string;
  student_id: string;
  course_id: string;
  course_code: string;
  course_title: string;
  credits: number;
  status: 'active' | 'dropped';
  enrolled_at: NullableEventTimestamp;
  dropped_at: NullableEventTimestamp;
  event_time: EventTimestamp;
  event_id: string;
}

export interface ProfileGradesTable {
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
  recorded_at: EventTimestamp;
  event_id: string;
}

export interface ProfileCompetenciesTable {
  student_id: string;
  competency_id: string;
  competency_code: string;
  progress_id: string;
  status: string;
  proficiency_level: number;
  assessed_by: string;
  recorded_at: EventTimestamp;
  event_id: string;
}

export interface ProfileAccountsTable {
  student_id: string;
  account_id: string;
  balance: number;
  currency: string;
  changed_at: EventTimestamp;
  event_id: string;
}

export interface StudentsDatabase {
  students: StudentsTable;
  profile_enrollments: ProfileEnrollmentsTable;
  profile_grades: ProfileGradesTable;
  profile_competencies: ProfileCompetenciesTable;
  profile_accounts: ProfileAccountsTable;
}

export type StudentRow = Selectable<StudentsTable>;
export type EnrollmentRow = Selectable<ProfileEnrollmentsTable>;
export type GradeRow = Selectable<ProfileGradesTable>;
export type CompetencyRow = Selectable<ProfileCompetenciesTable>;
export type AccountRow = Selectable<ProfileAccountsTable>;
