/** SQL for bulk-send jobs and their recipients. */
import { sql, type Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Db } from '../deps.ts';
import type { BulkJobsTable, BulkRecipientsTable, Channel } from '../tables.ts';

export type BulkJobRow = Selectable<BulkJobsTable>;
export type RecipientRow = Selectable<BulkRecipientsTable>;

export interface NewJob {
  created_by: string | null;
  channel: Channel;
  title: string;
  body: string;
  template_id: string | null;
  role: string | null;
}

/** Creates a job and its recipient rows in one statement per table (recipients deduplicated). */
export async function insertJob(db: Db, job: NewJob, userIds: readonly string[]): Promise<BulkJobRow> {
  const ids = [...new Set(userIds)];
  const row = await db
    .insertInto('bulk_jobs')
    .values({ id: uuidv7(), ...job, total: ids.length, status: 'queued' })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (ids.length > 0) {
    await sql`insert into bulk_recipients (job_id, user_id)
      select ${row.id}, value from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)
      on conflict do nothing`.execute(db);
  }
  return row;
}

export function findJob(db: Db, id: string): Promise<BulkJobRow | undefined> {
  return db.selectFrom('bulk_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the oldest unfinished job no other worker holds (until the transaction ends). */
export async function lockOpenJob(db: Db): Promise<BulkJobRow | undefined> {
  const r = await sql<BulkJobRow>`
    select * from bulk_jobs where status <> 'completed'
    order by created_at, id limit 1 for update skip locked`.execute(db);
  return r.rows[0];
}

export function pendingRecipients(db: Db, jobId: string, limit: number): Promise<RecipientRow[]> {
  return db
    .selectFrom('bulk_recipients')
    .selectAll()
    .where('job_id', '=', jobId)
    .where('status', '=', 'pending')
    .orderBy('user_id')
    .limit(limit)
    .execute();
}

export async function settleRecipient(
  db: Db,
  jobId: string,
  userId: string,
  status: RecipientRow['status'],
  error: string | null,
): Promise<void> {
  await db
    .updateTable('bulk_recipients')
    .set({ status, error })
    .where('job_id', '=', jobId)
    .where('user_id', '=', userId)
    .execute();
}

export async function addProgress(
  db: Db,
  jobId: string,
  counts: { sent: number; failed: number; skipped: number },
): Promise<void> {
  await sql`update bulk_jobs set status = 'running', started_at = coalesce(started_at, now()),
      sent = sent + ${counts.sent}, failed = failed + ${counts.failed}, skipped = skipped + ${counts.skipped}
    where id = ${jobId}`.execute(db);
}

export async function completeJob(db: Db, jobId: string): Promise<void> {
  await sql`update bulk_jobs set status = 'completed', started_at = coalesce(started_at, now()), completed_at = now()
    where id = ${jobId}`.execute(db);
}
