/** Publishes a `student.*` event for a row inside the write's transaction (transactional outbox). */
import type { ServiceDeps } from '@portico/kit';
import type { Transaction } from 'kysely';
import type { StudentEventType } from '../domain/student.ts';
import { studentData } from '../events.ts';
import type { StudentRow, StudentsDatabase } from '../tables.ts';

export interface Actor {
  traceparent?: string | undefined;
}

export async function publishStudent(
  deps: ServiceDeps<StudentsDatabase>,
  trx: Transaction<StudentsDatabase>,
  actor: Actor,
  type: StudentEventType,
  row: StudentRow,
): Promise<void> {
  await deps.publish(trx, type, studentData(row), {
    subject: row.id,
    ...(actor.traceparent !== undefined && { traceparent: actor.traceparent }),
  });
}
