/**
 * The events students publishes (`student.*`, the whole record as it now is: `StudentData`)
 * and the curriculum and finance events its profile read model consumes. Payload shapes are
 * the shared contracts in @portico/contracts.
 */
import type { ServiceDeps } from '@portico/kit';
import type { CurriculumEvents, FinanceEvents, StudentData, StudentEvents } from '@portico/contracts';
import type { StudentEventType } from './domain/student.ts';
import type { StudentRow, StudentsDatabase } from './tables.ts';

/** The kit's dependencies as students sees them: `publish` takes `StudentEvents` only. */
export type Deps = ServiceDeps<StudentsDatabase, Record<string, unknown>, StudentEvents>;

export const STUDENT_EVENTS = [
  'student.created',
  'student.updated',
  'student.deactivated',
] as const satisfies readonly StudentEventType[];

export const PROFILE_EVENTS = [
  'enrollment.created',
  'enrollment.dropped',
  'grade.recorded',
  'competency.progress_recorded',
  'account.balance_changed',
] as const satisfies readonly (keyof CurriculumEvents | keyof FinanceEvents)[];
export type ProfileEventType = (typeof PROFILE_EVENTS)[number];

/** What a consumed event carries, by type. */
export type ProfileEventData = {
  [K in ProfileEventType]: K extends keyof CurriculumEvents
    ? CurriculumEvents[K]
    : K extends keyof FinanceEvents
      ? FinanceEvents[K]
      : never;
};

export function studentData(row: StudentRow): StudentData {
  return {
    student_id: row.id,
    student_number: row.student_number,
    email: row.email,
    full_name: row.full_name,
    status: row.status,
    user_id: row.user_id,
  };
}
