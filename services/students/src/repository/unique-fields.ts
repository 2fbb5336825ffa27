/**
 * The unique indexes of `students` and the field each guards: our duplicate check names every
 * taken field at once, and a unique violation from a race is translated with the same map by
 * the kit (409 naming the field — never the index or SQL).
 */
import { alreadyExists, translateUnique } from '@portico/kit';

const FIELD_OF_INDEX = {
  students_student_number_key: 'student_number',
  students_email_key: 'email',
  students_user_id_key: 'user_id',
} as const;

/** 409 `already_exists` naming each field another student already holds. */
export const duplicateFields = (fields: readonly string[]) => alreadyExists('student', fields);

/** Rethrows a unique violation as 409 naming its field; anything else unchanged. */
export const translateStudentUnique = (err: unknown): never =>
  translateUnique(err, 'student', FIELD_OF_INDEX);
