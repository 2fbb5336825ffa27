/**
 * Webhook endpoints: registering one (its URL must not point at a private, loopback or
 * link-local address; the signing secret is made here and shown once), changing one, and
 * retrying a settled delivery. Another user's endpoint answers 404.
 */
import { AppError, can, hasRole, type Caller } from '@portico/kit';
import { targetProblem } from '../delivery/target-guard.ts';
import type { Db, Deps } from '../deps.ts';
import { generateSecret } from '../domain/signature.ts';
import {
  findDelivery,
  findEndpoint,
  insertEndpoint,
  requeueDelivery,
  updateEndpoint,
  type DeliveryRow,
  type EndpointRow,
} from '../repository/webhooks.ts';

export type WebhookStatus = EndpointRow['status'];

export interface EndpointInput {
  url: string;
  event_types: string[];
  description?: string | null | undefined;
}

export interface EndpointPatch extends Partial<EndpointInput> {
  status?: WebhookStatus | undefined;
}

/** The endpoint if the caller may use it for `action` (read, update, delete); others' answer 404. */
export async function loadEndpointFor(
  db: Db,
  caller: Caller,
  id: string,
  action: string,
): Promise<EndpointRow> {
  const e = await findEndpoint(db, id);
  if (!e || !can(caller, `webhooks:${action}`, { ownerId: e.user_id })) throw AppError.notFound('Webhook');
  return e;
}

async function checkUrl(deps: Deps, url: string): Promise<void> {
  const problem = await targetProblem(url, deps.settings.PORTICO_WEBHOOK_ALLOW_PRIVATE);
  if (problem) throw AppError.validation([{ field: 'url', code: 'forbidden_target', message: problem }]);
}

/** An admin's endpoint receives every user's events (`scope: all`); anyone else's, their own. */
export async function registerEndpoint(
  deps: Deps,
  caller: Caller,
  userId: string,
  input: EndpointInput,
): Promise<{ endpoint: EndpointRow; secret: string }> {
  await checkUrl(deps, input.url);
  const secret = generateSecret();
  const endpoint = await insertEndpoint(deps.db, {
    user_id: userId,
    url: input.url,
    description: input.description ?? null,
    event_types: input.event_types,
    scope: hasRole(caller, 'admin') ? 'all' : 'own',
    secret,
  });
  return { endpoint, secret };
}

/** `status: active` re-enables an endpoint that was disabled (for example after a 410). */
export async function changeEndpoint(
  deps: Deps,
  caller: Caller,
  id: string,
  b: EndpointPatch,
): Promise<EndpointRow> {
  const e = await loadEndpointFor(deps.db, caller, id, 'update');
  if (b.url !== undefined) await checkUrl(deps, b.url);
  const updated = await updateEndpoint(deps.db, e.id, {
    ...(b.url !== undefined && { url: b.url }),
    ...(b.event_types !== undefined && { event_types: JSON.stringify(b.event_types) }),
    ...(b.description !== undefined && { description: b.description }),
    ...(b.status !== undefined && {
      status: b.status,
      disabled_reason: b.status === 'disabled' ? 'disabled by the owner' : null,
    }),
  });
  if (!updated) throw AppError.notFound('Webhook');
  return updated;
}

/**
 * One more attempt, now, for a succeeded or failed delivery. A delivery still pending, or an
 * endpoint that is disabled, answers 409.
 */
export async function retryDelivery(
  deps: Deps,
  caller: Caller,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryRow> {
  const e = await loadEndpointFor(deps.db, caller, endpointId, 'update');
  const d = await findDelivery(deps.db, e.id, deliveryId);
  if (!d) throw AppError.notFound('Delivery');
  if (e.status !== 'active')
    throw new AppError(
      'invalid_state',
      'The endpoint is disabled; re-enable it with PATCH {"status":"active"} first',
    );
  const replica = deps.context;
  const requeued = await requeueDelivery(deps.db, d.id, Math.max(0, replica.webhookSchedule.length - 1));
  if (!requeued)
    throw new AppError('invalid_state', 'The delivery is still pending; it will be attempted on schedule');
  replica.webhooks.nudge();
  return requeued;
}
