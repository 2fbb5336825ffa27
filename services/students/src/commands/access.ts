/**
 * Who may see a student record: callers with `students:read` over all records (admin, staff,
 * instructor) see any; a caller whose grant is `students:read:own` (a student) sees only the
 * record linked to their login. Everything else answers 404, never revealing that it exists
 * (docs/api-conventions.md). Routes have already refused (403) callers with no read grant at all.
 */
import { AppError, can, type Caller, type ServiceDeps } from '@portico/kit';
import { findStudent, findStudentByUser } from '../repository/students.ts';
import type { StudentRow, StudentsDatabase } from '../tables.ts';

export const READ = 'students:read';

export async function loadStudentFor(
  db: ServiceDeps<StudentsDatabase>['db'],
  caller: Caller,
  id: string,
): Promise<StudentRow> {
  const row = await findStudent(db, id);
  if (!row || !can(caller, READ, { ownerId: row.user_id })) throw AppError.notFound('Student');
  return row;
}

/** The record linked to the caller's login (404 when there is none). */
export async function loadOwnStudent(
  db: ServiceDeps<StudentsDatabase>['db'],
  caller: Caller,
): Promise<StudentRow> {
  const row = caller.id === null ? undefined : await findStudentByUser(db, caller.id);
  if (!row) throw AppError.notFound('Student');
  return row;
}
