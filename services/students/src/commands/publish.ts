/** Publishes a `student.*` event for a row inside the write's transaction (transactional outbox). */
import type { Transaction } from 'kysely';
import type { StudentEventType } from '../domain/student.ts';
import { studentData, type Deps } from '../events.ts';
import type { StudentRow, StudentsDatabase } from '../tables.ts';

export async function publishStudent(
  deps: Deps,
  trx: Transaction<StudentsDatabase>,
  type: StudentEventType,
  row: StudentRow,
): Promise<void> {
  await deps.publish(trx, type, studentData(row), { subject: row.id });
}
