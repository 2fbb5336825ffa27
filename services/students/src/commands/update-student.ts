/**
 * Changing a student (PATCH) and deactivating one (DELETE, soft), each in one transaction
 * with its event. Only fields whose value actually changes count: a PATCH that changes
 * nothing, or a DELETE of an inactive student, returns the record untouched and publishes
 * nothing (so DELETE is idempotent).
 */
import { AppError } from '@portico/kit';
import type { StudentStatus } from '@portico/contracts';
import { changeEvent } from '../domain/student.ts';
import { duplicateFields, translateStudentUnique } from '../repository/unique-fields.ts';
import { findStudent, takenKeys, updateStudent, type StudentPatch } from '../repository/students.ts';
import type { StudentRow } from '../tables.ts';
import { checkBirthDate, type CreateStudentInput } from './create-student.ts';
import { publishStudent } from './publish.ts';
import type { Deps } from '../events.ts';

export interface UpdateStudentInput extends Partial<CreateStudentInput> {
  status?: StudentStatus | undefined;
}

type Field = keyof UpdateStudentInput;

/** The fields of `input` whose value differs from the row's (email compared as given, trimmed). */
function diff(row: StudentRow, input: UpdateStudentInput): StudentPatch {
  const next: Record<Field, unknown> = {
    student_number: input.student_number,
    email: input.email?.trim(),
    full_name: input.full_name?.trim(),
    phone: input.phone,
    address: input.address,
    date_of_birth: input.date_of_birth,
    user_id: input.user_id,
    status: input.status,
  };
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next) as [Field, unknown][]) {
    if (v !== undefined && v !== row[k]) patch[k] = v;
  }
  return patch as StudentPatch;
}

async function change(
  deps: Deps,
  id: string,
  patchOf: (row: StudentRow) => StudentPatch,
): Promise<StudentRow> {
  try {
    return await deps.tx(async (trx) => {
      const row = await findStudent(trx, id, { forUpdate: true });
      if (!row) throw AppError.notFound('Student');
      const patch = patchOf(row);
      if (Object.keys(patch).length === 0) return row;
      const taken = await takenKeys(
        trx,
        {
          student_number: patch.student_number,
          // Changing only the case of one's own email is no conflict: the check skips this row.
          email: patch.email,
          user_id: patch.user_id,
        },
        row.id,
      );
      if (taken.length) throw duplicateFields(taken);
      const next = await updateStudent(trx, row.id, { ...patch, updated_at: new Date() });
      await publishStudent(deps, trx, changeEvent(row.status, next.status), next);
      return next;
    });
  } catch (err) {
    return translateStudentUnique(err);
  }
}

export async function updateStudentRecord(
  deps: Deps,
  id: string,
  input: UpdateStudentInput,
): Promise<StudentRow> {
  const errors = checkBirthDate(input.date_of_birth, new Date());
  if (errors.length) throw AppError.validation(errors);
  return change(deps, id, (row) => diff(row, input));
}

/** Soft delete: the record stays (others refer to it) with status `inactive`. */
export async function deactivateStudent(deps: Deps, id: string): Promise<StudentRow> {
  return change(deps, id, (row) => (row.status === 'inactive' ? {} : { status: 'inactive' as const }));
}
