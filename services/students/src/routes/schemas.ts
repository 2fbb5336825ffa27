/**
 * Request and response schemas (TypeBox): one source for validation, types and OpenAPI.
 * Field names are snake_case and times RFC 3339 (docs/api-conventions.md).
 */
import { PageQuery, Type, type TSchema } from '@portico/kit';
import { STUDENT_NUMBER_PATTERN, STUDENT_SORTS, STUDENT_STATUSES } from '../domain/student.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const StudentNumber = Type.String({
  pattern: STUDENT_NUMBER_PATTERN,
  description: 'Two capital letters and six digits; unique',
  examples: ['KE123456'],
});
const Email = Type.String({
  format: 'email',
  maxLength: 254,
  description: 'Unique, ignoring case',
  examples: ['amina.odhiambo@school.ac.ke'],
});
const FullName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Phone = Nullable(
  Type.String({
    pattern: '^\\+?[0-9][0-9 ()-]{5,24}$',
    description: 'Digits, spaces, brackets and dashes; an optional leading +',
    examples: ['+254 712 345678'],
  }),
);
const Address = Nullable(Type.String({ minLength: 1, maxLength: 500 }));
const BirthDate = Nullable(
  Type.String({ format: 'date', description: 'YYYY-MM-DD, not in the future', examples: ['2010-04-17'] }),
);
const UserId = Nullable(
  Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '\\S',
    description: 'The linked login (identity user id); one login links to at most one student',
  }),
);
const Status = Type.Enum(STUDENT_STATUSES, { description: 'Any status may follow any other' });

export const StudentSchema = Type.Object({
  id: Type.String(),
  student_number: Type.String(),
  email: Type.String(),
  full_name: Type.String(),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  date_of_birth: Nullable(Type.String({ format: 'date' })),
  status: Status,
  user_id: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), profile: Type.String() }),
});

export const CreateStudentBody = Type.Object({
  student_number: StudentNumber,
  email: Email,
  full_name: FullName,
  phone: Type.Optional(Phone),
  address: Type.Optional(Address),
  date_of_birth: Type.Optional(BirthDate),
  user_id: Type.Optional(UserId),
});

export const UpdateStudentBody = Type.Object(
  {
    student_number: Type.Optional(StudentNumber),
    email: Type.Optional(Email),
    full_name: Type.Optional(FullName),
    phone: Type.Optional(Phone),
    address: Type.Optional(Address),
    date_of_birth: Type.Optional(BirthDate),
    user_id: Type.Optional(UserId),
    status: Type.Optional(Status),
  },
  { minProperties: 1 },
);

export const StudentListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Status),
  q: Type.Optional(
    Type.String({
      maxLength: 100,
      description: 'Case-insensitive "contains" on full name, email and student number; empty = no filter',
    }),
  ),
  sort: Type.Optional(
    Type.Enum(STUDENT_SORTS, { description: 'A field, `-field` for descending; default `-created_at`' }),
  ),
});

const Enrollment = Type.Object({
  enrollment_id: Type.String(),
  course_id: Type.String(),
  course_code: Type.String(),
  course_title: Type.String(),
  credits: Type.Number(),
  status: Type.Enum(['active', 'dropped']),
  enrolled_at: Nullable(Timestamp),
  dropped_at: Nullable(Timestamp),
});

const Grade = Type.Object({
  enrollment_id: Type.String(),
  course_id: Type.String(),
  course_code: Type.String(),
  course_title: Type.String(),
  credits: Type.Number(),
  score: Type.Number({ description: 'Percentage 0–100' }),
  grade: Type.String({ description: 'On the course’s scale (A, E, A*, …)' }),
  grade_points: Type.Number({ description: '4/3/2/1/0' }),
  scale: Type.String(),
  recorded_at: Timestamp,
});

const Competency = Type.Object({
  competency_id: Type.String(),
  competency_code: Type.String(),
  progress_id: Type.String(),
  status: Type.String({ description: 'not_started, in_progress, achieved or mastered' }),
  proficiency_level: Type.Integer({ description: '1–4' }),
  assessed_by: Type.String(),
  recorded_at: Timestamp,
});

export const ProfileSchema = Type.Object({
  student: StudentSchema,
  enrollments: Type.Array(Enrollment),
  grades: Type.Array(Grade, { description: 'One per course: a re-recorded grade replaces the earlier one' }),
  gpa: Type.Number({
    minimum: 0,
    maximum: 4,
    description: 'Credit-weighted over the graded courses, 2 decimals; 0 with no grades',
  }),
  graded_credits: Type.Number({ description: 'The credits the GPA is weighted over' }),
  competencies: Type.Array(Competency, { description: 'The latest progress per competency' }),
  account: Nullable(
    Type.Object({
      balance: Type.Integer({ description: 'Minor units owed; negative is a credit' }),
      currency: Type.String({ description: 'ISO 4217' }),
    }),
  ),
  links: Type.Object({ self: Type.String(), student: Type.String() }),
});
