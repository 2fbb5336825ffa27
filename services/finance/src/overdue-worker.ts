/**
 * The overdue job on the kit's polling worker, started in `start()` and stopped through
 * `deps.onClose`. Runs do not overlap; each marks what is due as of today (UTC). (A payment
 * whose process died between commit and response needs nothing here: the kit's idempotency
 * lease expires and the retry replays the committed payment.)
 */
import { PollingWorker } from '@portico/kit';
import { markOverdue } from './commands/mark-overdue.ts';
import type { Deps } from './deps.ts';

export function startOverdueWorker(deps: Deps): void {
  const every = deps.settings.FINANCE_OVERDUE_INTERVAL_MS;
  if (every <= 0) return;
  const worker = new PollingWorker(
    'overdue invoices',
    async () => {
      const marked = await markOverdue(deps);
      if (marked.length) deps.log.info({ marked: marked.length }, 'invoices marked overdue');
      return false; // one pass marks everything due; the next runs after `every` ms
    },
    { pollMs: every, log: deps.log },
  );
  // The first pass runs at once: it catches up on what fell due while the service was down.
  worker.start();
  deps.onClose(() => worker.stop());
}
