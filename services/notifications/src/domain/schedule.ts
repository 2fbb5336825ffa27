/**
 * Retry schedules written as configuration: `0,5s,5m,30m,2h,5h,10h,10h` — the delay before each
 * attempt, the first usually immediate. Units ms, s, m, h; a bare number means seconds. The
 * default follows the Standard Webhooks / Svix schedule (about a day in all).
 */
export const DEFAULT_WEBHOOK_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';
export const DEFAULT_MAIL_SCHEDULE = '0,30s,2m,10m,1h,4h';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const STEP = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Pattern for a settings schema, so a bad value is refused at start. */
export const SCHEDULE_PATTERN = '^\\s*\\d+(\\.\\d+)?(ms|s|m|h)?\\s*(,\\s*\\d+(\\.\\d+)?(ms|s|m|h)?\\s*)*$';

/** Delays in milliseconds, one per attempt. */
export function parseSchedule(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim());
  return steps.map((s) => {
    const m = STEP.exec(s);
    if (!m) throw new Error(`invalid schedule step "${s}" (use e.g. 0,5s,5m,2h)`);
    return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
  });
}

/**
 * After `done` attempts (within the schedule) have failed: the delay before the next one, or
 * null when the schedule is exhausted and the work has failed for good.
 */
export function nextDelay(schedule: readonly number[], done: number): number | null {
  return done < schedule.length ? schedule[done]! : null;
}
