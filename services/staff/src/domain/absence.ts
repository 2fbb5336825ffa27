/**
 * Absence rules, pure: the date order, overlap between two absences, the decision state
 * machine (`pending → approved | rejected`, decided once) and the length in days.
 */

export const ABSENCE_TYPES = ['sick', 'annual', 'unpaid', 'other'] as const;
export type AbsenceType = (typeof ABSENCE_TYPES)[number];

export const ABSENCE_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type AbsenceStatus = (typeof ABSENCE_STATUSES)[number];

export type AbsenceDecision = 'approve' | 'reject';

/** The statuses that hold a person's days: a new absence may not overlap these. */
export const BLOCKING_STATUSES: readonly AbsenceStatus[] = ['pending', 'approved'];

export interface DateRange {
  start_date: string;
  end_date: string;
}

/** Both ends are inclusive calendar days, so an absence of one day has start = end. */
export function datesInOrder(range: DateRange): boolean {
  return range.end_date >= range.start_date;
}

/** Inclusive ranges overlap when each starts no later than the other ends. */
export function overlaps(a: DateRange, b: DateRange): boolean {
  return a.start_date <= b.end_date && b.start_date <= a.end_date;
}

/** Calendar days covered, both ends included. */
export function daysCovered(range: DateRange): number {
  const ms = Date.parse(`${range.end_date}T00:00:00Z`) - Date.parse(`${range.start_date}T00:00:00Z`);
  return Math.round(ms / 86_400_000) + 1;
}

/** The status a decision leads to, or null when the absence was already decided. */
export function decide(status: AbsenceStatus, decision: AbsenceDecision): AbsenceStatus | null {
  if (status !== 'pending') return null;
  return decision === 'approve' ? 'approved' : 'rejected';
}
