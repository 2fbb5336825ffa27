/**
 * The overdue job on a timer, started in `start()` and stopped through `deps.onClose`. Runs do
 * not overlap; each marks what is due as of today (UTC). (A payment whose process died between
 * commit and response needs nothing here: the kit's idempotency lease expires and the retry
 * replays the committed payment.)
 */
import { markOverdue } from './commands/mark-overdue.ts';
import type { Deps } from './deps.ts';

export function startOverdueWorker(deps: Deps): void {
  const every = deps.settings.FINANCE_OVERDUE_INTERVAL_MS;
  if (every <= 0) return;
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
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
