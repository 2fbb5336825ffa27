/**
 * The overdue job on a timer, started in `start()` and stopped through `deps.onClose`. Runs do
 * not overlap; each marks what is due as of today (UTC). It also releases `Idempotency-Key`
 * reservations that a crashed process left `in_progress` (the kit's hooks never ran for them):
 * without that, a payment retried after a crash between commit and response would answer 409
 * for a day — with it, the retry reaches the payment route, which finds the payment by its key.
 */
import { sql } from 'kysely';
import { markOverdue } from './commands/mark-overdue.ts';
import type { Deps } from './deps.ts';

/** A reservation older than this belongs to a request that can no longer be running. */
const STALE_RESERVATION_SECONDS = 120;

export async function releaseStaleReservations(deps: Deps): Promise<void> {
  await sql`delete from kit_idempotency where state = 'in_progress'
            and created_at < now() - make_interval(secs => ${STALE_RESERVATION_SECONDS})`.execute(deps.db);
}

export function startOverdueWorker(deps: Deps): void {
  const every = deps.settings.FINANCE_OVERDUE_INTERVAL_MS;
  if (every <= 0) return;
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        await releaseStaleReservations(deps);
        const marked = await markOverdue(deps);
        if (marked.length) deps.log.info({ marked: marked.length }, 'invoices marked overdue');
      } catch (err) {
        deps.log.warn({ err }, 'overdue job failed; retried on the next tick');
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(tick, every);
  timer.unref();
  deps.onClose(async () => {
    clearInterval(timer);
    await running;
  });
}
