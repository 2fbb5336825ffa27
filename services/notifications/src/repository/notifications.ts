/** SQL for notifications and the per-user stream sequence. */
import { sql, type Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Db } from '../deps.ts';
import type { Channel, NotificationsTable } from '../tables.ts';

export type NotificationRow = Selectable<NotificationsTable>;

export interface NewNotification {
  user_id: string;
  channel: Channel;
  type: string;
  title: string;
  body: string;
  data?: Record<string, unknown> | null;
  source_event_id?: string | null;
  bulk_job_id?: string | null;
}

/**
 * Inserts a notification with the user's next sequence number, or returns null when one for the
 * same (event, user) or (bulk job, user) already exists. The counter row stays locked until the
 * transaction commits, so a user's notifications commit in sequence order.
 */
export async function insertNotification(db: Db, n: NewNotification): Promise<NotificationRow | null> {
  const res = await sql<NotificationRow>`
    with s as (
      insert into user_sequences (user_id, last_seq) values (${n.user_id}, 1)
      on conflict (user_id) do update set last_seq = user_sequences.last_seq + 1
      returning last_seq
    )
    insert into notifications (id, user_id, seq, channel, type, title, body, data, source_event_id, bulk_job_id)
    select ${uuidv7()}, ${n.user_id}, s.last_seq, ${n.channel}, ${n.type}, ${n.title}, ${n.body},
           ${n.data == null ? null : JSON.stringify(n.data)}::jsonb, ${n.source_event_id ?? null}, ${n.bulk_job_id ?? null}
    from s
    on conflict do nothing
    returning *`.execute(db);
  return res.rows[0] ?? null;
}

export function findNotification(db: Db, id: string): Promise<NotificationRow | undefined> {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ListFilter {
  userId: string | undefined;
  unread: boolean | undefined;
  channel: Channel | undefined;
  type: string | undefined;
}

export function listQuery(db: Db, f: ListFilter) {
  let q = db.selectFrom('notifications').selectAll();
  if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
  if (f.unread === true) q = q.where('read_at', 'is', null);
  if (f.unread === false) q = q.where('read_at', 'is not', null);
  if (f.channel !== undefined) q = q.where('channel', '=', f.channel);
  if (f.type !== undefined) q = q.where('type', '=', f.type);
  return q;
}

export function markRead(db: Db, id: string): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function markAllRead(db: Db, userId: string): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function deleteNotification(db: Db, id: string): Promise<void> {
  await db.deleteFrom('notifications').where('id', '=', id).execute();
}

/** The user's notifications after `seq`, oldest first (SSE replay and live delivery). */
export function notificationsAfter(
  db: Db,
  userId: string,
  seq: number,
  limit: number,
): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', seq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

/** The user's latest sequence number (0 before the first notification). */
export async function latestSeq(db: Db, userId: string): Promise<number> {
  const r = await db
    .selectFrom('user_sequences')
    .select('last_seq')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return r?.last_seq ?? 0;
}
