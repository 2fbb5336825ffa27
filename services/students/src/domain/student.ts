/**
 * Student record rules that need no database: the statuses (any may follow any — a school
 * suspends, reinstates, graduates and deactivates in whatever order life brings), the number
 * format, which sort orders a list accepts and the event a change publishes.
 */
import type { StudentStatus } from '@portico/contracts';

export const STUDENT_STATUSES = [
  'active',
  'inactive',
  'graduated',
  'suspended',
] as const satisfies readonly StudentStatus[];
export const DEFAULT_STATUS: StudentStatus = 'active';

/** Two capital letters and six digits, e.g. `KE123456`. */
export const STUDENT_NUMBER_PATTERN = '^[A-Z]{2}\\d{6}$';

export const STUDENT_SORTS = [
  'created_at',
  '-created_at',
  'full_name',
  '-full_name',
  'student_number',
  '-student_number',
] as const;
export type StudentSort = (typeof STUDENT_SORTS)[number];
export const DEFAULT_STUDENT_SORT: StudentSort = '-created_at';

export type StudentSortColumn = 'created_at' | 'name_key' | 'student_number';

const COLUMNS: Record<string, StudentSortColumn> = {
  created_at: 'created_at',
  full_name: 'name_key',
  student_number: 'student_number',
};

/** The NOT NULL column a sort pages on (the id breaks ties) and its direction. */
export function sortSpec(sort: StudentSort): { column: StudentSortColumn; direction: 'asc' | 'desc' } {
  const desc = sort.startsWith('-');
  return { column: COLUMNS[desc ? sort.slice(1) : sort]!, direction: desc ? 'desc' : 'asc' };
}

export type StudentEventType = 'student.created' | 'student.updated' | 'student.deactivated';

/**
 * The event a change publishes: becoming `inactive` (DELETE, or PATCH to inactive) is a
 * deactivation; any other change an update. Both carry the whole record.
 */
export function changeEvent(before: StudentStatus, after: StudentStatus): StudentEventType {
  return after === 'inactive' && before !== 'inactive' ? 'student.deactivated' : 'student.updated';
}

/** A date of birth is a real calendar date, not in the future (UTC day). */
export function isPlausibleBirthDate(value: string, today: Date): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== value) return false;
  return value <= today.toISOString().slice(0, 10) && Number(m[1]) >= 1900;
}

/** `%`, `_` and `\` match themselves in a `q` search (LIKE's wildcards escaped). */
export function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
