/** Creating a student: the rules the schema cannot express, one transaction, `student.created`. */
import { AppError, type FieldError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { isPlausibleBirthDate } from '../domain/student.ts';
import { duplicateFields, translateStudentUnique } from '../repository/unique-fields.ts';
import { insertStudent, takenKeys } from '../repository/students.ts';
import type { StudentRow } from '../tables.ts';
import { publishStudent } from './publish.ts';
import type { Deps } from '../events.ts';

export interface CreateStudentInput {
  student_number: string;
  email: string;
  full_name: string;
  phone?: string | null | undefined;
  address?: string | null | undefined;
  date_of_birth?: string | null | undefined;
  user_id?: string | null | undefined;
}

/** 422 for a date of birth that is no real date or lies in the future. */
export function checkBirthDate(value: string | null | undefined, now: Date): FieldError[] {
  if (value === undefined || value === null || isPlausibleBirthDate(value, now)) return [];
  return [
    {
      field: 'date_of_birth',
      code: 'invalid_date',
      message: 'must be a real calendar date (YYYY-MM-DD) from 1900 up to today',
    },
  ];
}

export async function createStudent(deps: Deps, input: CreateStudentInput): Promise<StudentRow> {
  const now = new Date();
  const errors = checkBirthDate(input.date_of_birth, now);
  if (errors.length) throw AppError.validation(errors);
  const email = input.email.trim();
  try {
    return await deps.tx(async (trx) => {
      // Report every duplicate field at once; the unique indexes still decide a race.
      const taken = await takenKeys(trx, {
        student_number: input.student_number,
        email,
        user_id: input.user_id,
      });
      if (taken.length) throw duplicateFields(taken);
      const row = await insertStudent(trx, {
        id: uuidv7(),
        student_number: input.student_number,
        email,
        full_name: input.full_name.trim(),
        phone: input.phone ?? null,
        address: input.address ?? null,
        date_of_birth: input.date_of_birth ?? null,
        user_id: input.user_id ?? null,
        created_at: now,
        updated_at: now,
      });
      await publishStudent(deps, trx, 'student.created', row);
      return row;
    });
  } catch (err) {
    return translateStudentUnique(err);
  }
}
