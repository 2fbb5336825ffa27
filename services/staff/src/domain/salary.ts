/**
 * Which salary is current: the one with the latest effective date that is not in the future
 * (on or before `today`). Two salaries effective the same day: the later recorded wins (a
 * correction). Pure: dates are 'YYYY-MM-DD' strings, which order lexicographically as days.
 *
 * @example
 *   currentSalary([{ id: 'a', effective_date: '2026-01-01', … }, { id: 'b', effective_date: '2027-01-01', … }], '2026-12-05')
 *   // → the 'a' salary ('b' is future-dated)
 */

export interface SalaryEntry {
  /** Time-ordered (UUIDv7): a later-recorded salary has a greater id. */
  id: string;
  effective_date: string;
}

/** Today's calendar day in UTC, as 'YYYY-MM-DD' (salaries take effect on UTC days). */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function currentSalary<T extends SalaryEntry>(salaries: readonly T[], today: string): T | null {
  let best: T | null = null;
  for (const s of salaries) {
    if (s.effective_date > today) continue;
    if (
      best === null ||
      s.effective_date > best.effective_date ||
      (s.effective_date === best.effective_date && s.id > best.id)
    ) {
      best = s;
    }
  }
  return best;
}
