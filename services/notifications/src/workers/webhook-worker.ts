/**
 * Drains the webhook delivery queue. Deliveries are claimed with a lease (`for update skip
 * locked` in a single statement, no transaction held across the HTTP call), attempted, and
 * settled: 2xx succeeded; 410 Gone disables the endpoint; anything else (3xx included — redirects
 * are never followed) is retried along the schedule, then failed.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../tables.ts';
import type { WebhookSender } from '../delivery/webhook-sender.ts';
import {
  abandonDelivery,
  claimDeliveries,
  disableEndpoint,
  endpointsById,
  recordAttempt,
  settleDelivery,
  type DeliveryRow,
  type EndpointRow,
} from '../repository/webhooks.ts';
import { nextDelay } from '../domain/schedule.ts';

export interface WebhookWorkerOptions {
  db: Kysely<Database>;
  sender: WebhookSender;
  schedule: readonly number[];
  batch: number;
  timeoutMs: number;
  log: Logger;
}

export function webhookTick(o: WebhookWorkerOptions) {
  const lease = Math.ceil((o.timeoutMs * 2) / 1000) + 5;
  return async (): Promise<boolean> => {
    const due = await claimDeliveries(o.db, o.batch, lease);
    if (due.length === 0) return false;
    const endpoints = await endpointsById(o.db, [...new Set(due.map((d) => d.endpoint_id))]);
    await Promise.all(due.map((d) => attempt(o, d, endpoints.get(d.endpoint_id))));
    return due.length === o.batch;
  };
}

async function attempt(
  o: WebhookWorkerOptions,
  d: DeliveryRow,
  endpoint: EndpointRow | undefined,
): Promise<void> {
  if (!endpoint || endpoint.status !== 'active') {
    await abandonDelivery(
      o.db,
      d.id,
      endpoint
        ? `endpoint disabled${endpoint.disabled_reason ? `: ${endpoint.disabled_reason}` : ''}`
        : 'endpoint deleted',
    );
    return;
  }
  const attemptedAt = new Date();
  const r = await o.sender.send(endpoint.url, endpoint.secret, d.message_id, d.payload);
  const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
  const gone = r.statusCode === 410;
  const retryMs = ok || gone ? null : nextDelay(o.schedule, d.schedule_pos + 1);
  await o.db.transaction().execute(async (trx) => {
    await recordAttempt(trx, {
      delivery_id: d.id,
      attempt: d.attempt_count + 1,
      attempted_at: attemptedAt,
      duration_ms: r.durationMs,
      status_code: r.statusCode,
      error: r.error,
      outcome: ok ? 'succeeded' : 'failed',
    });
    await settleDelivery(trx, d.id, {
      outcome: ok ? 'succeeded' : 'failed',
      retryMs,
      status_code: r.statusCode,
      error: r.error,
    });
    if (gone) await disableEndpoint(trx, endpoint.id, 'the receiver answered 410 Gone');
  });
  if (!ok)
    o.log.info(
      {
        delivery_id: d.id,
        endpoint_id: endpoint.id,
        status: r.statusCode,
        error: r.error,
        retry_ms: retryMs,
      },
      'webhook attempt failed',
    );
}
