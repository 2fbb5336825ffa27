/**
 * Unique violations the database may still raise after our duplicate check (two requests
 * racing for the same number or email), translated to 409 naming the field — never SQL.
 * Both engines report the SQLSTATE as `code` and the index as `constraint`.
 */
import { AppError } from '@portico/kit';

const FIELD_OF_INDEX: Record<string, string> = {
  students_student_number_key: 'student_number',
  students_email_key: 'email',
  students_user_id_key: 'user_id',
};

interface PgError {
  code?: string;
  constraint?: string;
}

/** 409 `already_exists` naming each field another student already holds. */
export function duplicateFields(fields: readonly string[]): AppError<'already_exists'> {
  return new AppError('already_exists', `A student with this ${fields.join(' and ')} already exists`, {
    errors: fields.map((field) => ({
      field,
      code: 'unique',
      message:
        field === 'user_id' ? 'is already linked to another student' : 'is already used by another student',
    })),
  });
}

/** Rethrows a unique violation as 409 naming its field; anything else unchanged. */
export function translateUnique(err: unknown): never {
  const e = (typeof err === 'object' && err !== null ? err : {}) as PgError;
  if (e.code === '23505') {
    const field = FIELD_OF_INDEX[e.constraint ?? ''];
    // An index we do not know cannot be told apart: name every unique field.
    throw duplicateFields(field ? [field] : Object.values(FIELD_OF_INDEX));
  }
  throw err;
}
