/**
 * A webhook endpoint's delivery history (newest first, with each delivery's attempts) and manual
 * redelivery. Another user's endpoint answers 404.
 */
import { AppError, mapPage, PageOf, PageQuery, paginate, sendPage, Type } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { loadEndpointFor, retryDelivery } from '../commands/webhooks.ts';
import type { Deps } from '../deps.ts';
import { attemptsOf, deliveriesQuery, findDelivery } from '../repository/webhooks.ts';
import { deliveryView } from '../views.ts';
import { DateTime, IdParams, NullableDateTime } from './common.ts';

const tags = ['webhooks'];

const AttemptSchema = Type.Object({
  attempt: Type.Integer(),
  attempted_at: DateTime,
  duration_ms: Type.Integer(),
  status_code: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
});

const DeliverySchema = Type.Object({
  id: Type.String(),
  endpoint_id: Type.String(),
  message_id: Type.String({ description: 'The webhook-id header; the same on every retry' }),
  event_type: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempt_count: Type.Integer(),
  next_attempt_at: NullableDateTime,
  last_status_code: Type.Union([Type.Integer(), Type.Null()]),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  completed_at: NullableDateTime,
  attempts: Type.Array(AttemptSchema),
});

const DeliveryParams = Type.Object({
  id: Type.String({ maxLength: 200 }),
  delivery_id: Type.String({ maxLength: 200 }),
});

export function webhookDeliveryRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { permission: 'webhooks:read' },
      schema: {
        tags,
        summary: 'Delivery history of an endpoint, newest first',
        params: IdParams,
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
          ),
        }),
        response: { 200: PageOf(DeliverySchema) },
      },
    },
    async (req, reply) => {
      const e = await loadEndpointFor(deps.db, req.caller, req.params.id, 'read');
      const page = await paginate(deliveriesQuery(deps.db, e.id, req.query.status), {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'created_at',
        direction: 'desc',
      });
      const attempts = await attemptsOf(
        deps.db,
        page.data.map((d) => d.id),
      );
      return sendPage(
        reply,
        mapPage(page, (d) => deliveryView(d, attempts.get(d.id) ?? [])),
      );
    },
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries/:delivery_id',
    {
      config: { permission: 'webhooks:read' },
      schema: {
        tags,
        summary: 'One delivery with its attempts',
        params: DeliveryParams,
        response: { 200: DeliverySchema },
      },
    },
    async (req) => {
      const e = await loadEndpointFor(deps.db, req.caller, req.params.id, 'read');
      const d = await findDelivery(deps.db, e.id, req.params.delivery_id);
      if (!d) throw AppError.notFound('Delivery');
      return deliveryView(d, (await attemptsOf(deps.db, [d.id])).get(d.id) ?? []);
    },
  );

  app.post(
    '/api/v1/webhooks/:id/deliveries/:delivery_id/retry',
    {
      config: { permission: 'webhooks:update' },
      schema: {
        tags,
        summary: 'Deliver a message again now',
        description:
          'One more attempt for a succeeded or failed delivery (202). A delivery still pending, or an endpoint that is disabled, answers 409.',
        params: DeliveryParams,
        response: { 202: DeliverySchema },
      },
    },
    async (req, reply) => {
      const d = await retryDelivery(deps, req.caller, req.params.id, req.params.delivery_id);
      return reply.code(202).send(deliveryView(d, (await attemptsOf(deps.db, [d.id])).get(d.id) ?? []));
    },
  );
}
