/**
 * The events staff publishes (payloads from @portico/contracts `StaffEvents`), each with the
 * entity id as CloudEvents `subject`. Curriculum keeps its table of known staff from
 * `staff.*`; notifications tells the person from `absence.*` (`user_id`).
 */
import type { AbsenceData, StaffData, StaffEvents } from '@portico/contracts';
import type { AbsenceRow, StaffRow } from './tables.ts';

export const STAFF_EVENTS = [
  'staff.created',
  'staff.updated',
  'staff.deactivated',
  'absence.requested',
  'absence.approved',
  'absence.rejected',
] as const satisfies readonly (keyof StaffEvents)[];

export type StaffEventType = (typeof STAFF_EVENTS)[number];

export function staffData(row: StaffRow): StaffData {
  return {
    staff_id: row.id,
    employee_number: row.employee_number,
    email: row.email,
    full_name: row.full_name,
    position: row.position,
    department_id: row.department_id,
    status: row.status,
    user_id: row.user_id,
  };
}

export function absenceData(row: AbsenceRow, staff: StaffRow): AbsenceData {
  return {
    absence_id: row.id,
    staff_id: row.staff_id,
    start_date: row.start_date,
    end_date: row.end_date,
    status: row.status,
    decided_by: row.decided_by,
    user_id: staff.user_id,
  };
}
