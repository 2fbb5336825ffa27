/**
 * Processes bulk-send jobs in batches: each batch is one transaction that sends to a slice of
 * the pending recipients, marks them and adds to the job's counters — so progress is visible
 * while it runs, and a crash loses at most the batch in hand (it is redone; the notification's
 * unique (bulk job, user) key keeps it from being sent twice).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';
import { Effects, sendDirect } from '../commands/dispatch.ts';
import { addProgress, completeJob, lockOpenJob, pendingRecipients } from '../repository/bulk.ts';
import { DEFAULT_PREFERENCES, findUsers, preferencesOfMany } from '../repository/users.ts';
import { sql } from 'kysely';

export interface BulkWorkerOptions {
  db: Kysely<Database>;
  batch: number;
  webhookDelayMs: number;
  /** Applies a committed batch's effects (wake streams, kick mail/webhook workers). */
  apply(effects: Effects): void;
}

export function bulkTick(o: BulkWorkerOptions) {
  return async (): Promise<boolean> => {
    const effects = new Effects();
    const more = await o.db.transaction().execute(async (trx) => {
      const job = await lockOpenJob(trx);
      if (!job) return false;
      const recipients = await pendingRecipients(trx, job.id, o.batch);
      if (recipients.length === 0) {
        await completeJob(trx, job.id);
        return true;
      }
      const ids = recipients.map((r) => r.user_id);
      const prefs = await preferencesOfMany(trx, ids);
      const users = job.channel === 'email' ? await findUsers(trx, ids) : new Map();
      const settled = new Map<string, string[]>(); // "status\u0000error" → user ids
      const counts = { sent: 0, failed: 0, skipped: 0 };
      for (const userId of ids) {
        const out = await sendDirect(
          trx,
          { userId, channel: job.channel, title: job.title, body: job.body, bulkJobId: job.id },
          {
            prefs: prefs.get(userId) ?? DEFAULT_PREFERENCES,
            user: users.get(userId),
            webhookDelayMs: o.webhookDelayMs,
          },
          effects,
        );
        counts[out.status] += 1;
        const key = `${out.status}\u0000${out.status === 'sent' ? '' : out.reason}`;
        settled.set(key, [...(settled.get(key) ?? []), userId]);
      }
      for (const [key, userIds] of settled) {
        const [status, error] = key.split('\u0000') as [string, string];
        await sql`update bulk_recipients set status = ${status}, error = ${error || null}
          where job_id = ${job.id} and user_id in (select jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))`.execute(
          trx,
        );
      }
      await addProgress(trx, job.id, counts);
      if (recipients.length < o.batch) await completeJob(trx, job.id);
      return true;
    });
    o.apply(effects);
    return more;
  };
}
