/** SQL for outgoing mail: a durable queue drained by the mail worker; the dev mailbox reads it. */
import { sql, type Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { claimDueJobs } from '@portico/kit';
import type { Db } from '../deps.ts';
import type { EmailsTable } from '../tables.ts';

export type EmailRow = Selectable<EmailsTable>;

export interface NewEmail {
  user_id: string | null;
  notification_id: string | null;
  source_event_id: string | null;
  to_address: string;
  subject: string;
  body: string;
}

/** Queues a message; a second one for the same (event, user) is dropped. Returns whether queued. */
export async function enqueueEmail(db: Db, e: NewEmail): Promise<boolean> {
  const r = await db
    .insertInto('emails')
    .values({ id: uuidv7(), ...e, status: 'pending' })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

/** Claims due messages for `leaseSeconds` (another worker takes them over if this one dies). */
export function claimEmails(db: Db, limit: number, leaseSeconds: number): Promise<EmailRow[]> {
  return claimDueJobs<EmailRow>(db, 'emails', { limit, leaseSeconds });
}

export async function markEmailSent(db: Db, id: string, messageId: string | null): Promise<void> {
  await db
    .updateTable('emails')
    .set({
      status: 'sent',
      sent_at: sql<Date>`now()`,
      message_id: messageId,
      locked_until: null,
      last_error: null,
    })
    .where('id', '=', id)
    .execute();
}

export async function markEmailKept(db: Db, id: string): Promise<void> {
  await db.updateTable('emails').set({ status: 'kept', locked_until: null }).where('id', '=', id).execute();
}

/** A failed try: retry after `delayMs`, or give up when it is null. */
export async function markEmailFailed(
  db: Db,
  id: string,
  error: string,
  delayMs: number | null,
): Promise<void> {
  await db
    .updateTable('emails')
    .set(
      delayMs === null
        ? { status: 'failed', last_error: error, locked_until: null }
        : {
            last_error: error,
            locked_until: null,
            next_attempt_at: sql<Date>`now() + make_interval(secs => ${delayMs / 1000})`,
          },
    )
    .where('id', '=', id)
    .execute();
}

export function mailboxQuery(db: Db, filter: { to?: string | undefined; status?: string | undefined }) {
  let q = db.selectFrom('emails').selectAll();
  if (filter.to !== undefined) q = q.where(sql<boolean>`lower(to_address) = ${filter.to.toLowerCase()}`);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status as EmailRow['status']);
  return q;
}
