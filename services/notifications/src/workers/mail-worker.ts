/** Drains the mail queue: SMTP when configured, otherwise the message stays in the dev mailbox. */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../tables.ts';
import type { Mailer } from '../delivery/mailer.ts';
import { claimEmails, markEmailFailed, markEmailKept, markEmailSent } from '../repository/emails.ts';
import { nextDelay } from '../domain/schedule.ts';

const BATCH = 10;
const LEASE_SECONDS = 120;

export function mailTick(
  db: Kysely<Database>,
  mailer: Mailer | null,
  schedule: readonly number[],
  log: Logger,
) {
  return async (): Promise<boolean> => {
    const rows = await claimEmails(db, BATCH, LEASE_SECONDS);
    for (const row of rows) {
      if (!mailer) {
        await markEmailKept(db, row.id);
        continue;
      }
      try {
        const info = await mailer.send({ to: row.to_address, subject: row.subject, text: row.body });
        await markEmailSent(db, row.id, info.messageId);
      } catch (err) {
        const delay = nextDelay(schedule, row.attempts);
        log.warn(
          { err, email_id: row.id, attempt: row.attempts, giving_up: delay === null },
          'mail not sent',
        );
        await markEmailFailed(db, row.id, (err as Error).message?.slice(0, 500) ?? String(err), delay);
      }
    }
    return rows.length === BATCH;
  };
}
