/** SQL for webhook endpoints, the delivery queue and the attempt history. */
import { sql, type Selectable, type Updateable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { claimDueJobs } from '@portico/kit';
import type { Db } from '../deps.ts';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from '../tables.ts';

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

export function insertEndpoint(
  db: Db,
  e: {
    user_id: string;
    url: string;
    description: string | null;
    event_types: string[];
    scope: 'own' | 'all';
    secret: string;
  },
): Promise<EndpointRow> {
  return db
    .insertInto('webhook_endpoints')
    .values({ id: uuidv7(), ...e, event_types: JSON.stringify(e.event_types), status: 'active' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findEndpoint(db: Db, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export function endpointsQuery(db: Db, userId: string) {
  return db.selectFrom('webhook_endpoints').selectAll().where('user_id', '=', userId);
}

export function updateEndpoint(
  db: Db,
  id: string,
  patch: Updateable<WebhookEndpointsTable>,
): Promise<EndpointRow | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteEndpoint(db: Db, id: string): Promise<void> {
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
}

/**
 * Active endpoints that should receive an event of `type` about `recipient` (null: about
 * nobody in particular): the recipient's own endpoints, and endpoints with scope `all` whose
 * owner is still an admin — unless the users read model knows otherwise. Owners who turned the
 * webhook channel off receive nothing.
 */
export async function endpointsFor(db: Db, type: string, recipient: string | null): Promise<EndpointRow[]> {
  const r = await sql<EndpointRow>`
    select e.* from webhook_endpoints e
    left join preferences p on p.user_id = e.user_id
    left join users u on u.id = e.user_id
    where e.status = 'active'
      and (e.event_types @> ${JSON.stringify([type])}::jsonb or e.event_types @> '["*"]'::jsonb)
      and coalesce(p.webhook, true)
      and (${recipient}::text is not null and e.user_id = ${recipient}::text
           or e.scope = 'all' and (u.id is null or not u.roles_known or u.roles @> '["admin"]'::jsonb))
    order by e.id`.execute(db);
  return r.rows;
}

/** Queues one message per endpoint (idempotent per endpoint and message id). */
export async function enqueueDeliveries(
  db: Db,
  endpoints: readonly EndpointRow[],
  msg: { message_id: string; event_type: string; payload: string; delayMs: number },
): Promise<number> {
  if (endpoints.length === 0) return 0;
  const r = await db
    .insertInto('webhook_deliveries')
    .values(
      endpoints.map((e) => ({
        id: uuidv7(),
        endpoint_id: e.id,
        user_id: e.user_id,
        message_id: msg.message_id,
        event_type: msg.event_type,
        payload: msg.payload,
        status: 'pending' as const,
        next_attempt_at: sql<Date>`now() + make_interval(secs => ${msg.delayMs / 1000})`,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
  return r.length;
}

/** Claims due deliveries for `leaseSeconds`: a worker that dies mid-attempt loses them to another. */
export function claimDeliveries(db: Db, limit: number, leaseSeconds: number): Promise<DeliveryRow[]> {
  // An attempt is counted when it is made (recordAttempt), not when it is claimed.
  return claimDueJobs<DeliveryRow>(db, 'webhook_deliveries', { limit, leaseSeconds, countAttempt: false });
}

export async function endpointsById(db: Db, ids: readonly string[]): Promise<Map<string, EndpointRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('webhook_endpoints').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function recordAttempt(
  db: Db,
  a: {
    delivery_id: string;
    attempt: number;
    attempted_at: Date;
    duration_ms: number;
    status_code: number | null;
    error: string | null;
    outcome: 'succeeded' | 'failed';
  },
): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({ id: uuidv7(), ...a })
    .execute();
}

/** Settles a delivery after an attempt: succeeded, retry after `retryMs`, or failed for good. */
export async function settleDelivery(
  db: Db,
  id: string,
  r: {
    outcome: 'succeeded' | 'failed';
    retryMs: number | null;
    status_code: number | null;
    error: string | null;
  },
): Promise<void> {
  const common = {
    attempt_count: sql<number>`attempt_count + 1`,
    schedule_pos: sql<number>`schedule_pos + 1`,
    locked_until: null,
    last_status_code: r.status_code,
    last_error: r.error,
    updated_at: sql<Date>`now()`,
  };
  const set =
    r.outcome === 'succeeded'
      ? { ...common, status: 'succeeded' as const, next_attempt_at: null, completed_at: sql<Date>`now()` }
      : r.retryMs === null
        ? { ...common, status: 'failed' as const, next_attempt_at: null, completed_at: sql<Date>`now()` }
        : { ...common, next_attempt_at: sql<Date>`now() + make_interval(secs => ${r.retryMs / 1000})` };
  await db.updateTable('webhook_deliveries').set(set).where('id', '=', id).execute();
}

/** Gives up a delivery without an attempt (its endpoint was disabled or deleted). */
export async function abandonDelivery(db: Db, id: string, reason: string): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      locked_until: null,
      next_attempt_at: null,
      last_error: reason,
      completed_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** Disables an endpoint (a 410 from the receiver) and fails what it still had queued. */
export async function disableEndpoint(db: Db, id: string, reason: string): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ status: 'disabled', disabled_reason: reason, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
  await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'failed',
      next_attempt_at: null,
      last_error: `endpoint disabled: ${reason}`,
      completed_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('endpoint_id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
    .execute();
}

export function deliveriesQuery(db: Db, endpointId: string, status: DeliveryRow['status'] | undefined) {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (status !== undefined) q = q.where('status', '=', status);
  return q;
}

export function findDelivery(db: Db, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', id)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
}

export async function attemptsOf(db: Db, deliveryIds: readonly string[]): Promise<Map<string, AttemptRow[]>> {
  const out = new Map<string, AttemptRow[]>(deliveryIds.map((id) => [id, []]));
  if (deliveryIds.length === 0) return out;
  const rows = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('attempt')
    .execute();
  for (const r of rows) out.get(r.delivery_id)?.push(r);
  return out;
}

/**
 * Queues a delivery again for one attempt now (manual retry). Only a settled delivery can be
 * retried; returns undefined when it is still pending.
 */
export function requeueDelivery(db: Db, id: string, schedulePos: number): Promise<DeliveryRow | undefined> {
  return db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      schedule_pos: schedulePos,
      next_attempt_at: sql<Date>`now()`,
      locked_until: null,
      completed_at: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('status', '<>', 'pending')
    .returningAll()
    .executeTakeFirst();
}
