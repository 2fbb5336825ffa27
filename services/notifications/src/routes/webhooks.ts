/**
 * Webhook endpoints (own; admin endpoints receive every user's events), their delivery history
 * and manual redelivery. The signing secret is shown once, in the 201 response.
 */
import {
  AppError,
  can,
  hasRole,
  mapPage,
  PageOf,
  PageQuery,
  paginate,
  sendPage,
  Type,
  listPage,
} from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import {
  DeliveryParams,
  DeliverySchema,
  IdParams,
  WebhookCreateBody,
  WebhookCreatedSchema,
  WebhookPatchBody,
  WebhookSchema,
} from '../schemas.ts';
import {
  attemptsOf,
  deleteEndpoint,
  deliveriesQuery,
  endpointsQuery,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  requeueDelivery,
  updateEndpoint,
  type EndpointRow,
} from '../repository/webhooks.ts';
import { generateSecret } from '../domain/signature.ts';
import { targetProblem } from '../delivery/target-guard.ts';
import { deliveryView, webhookView } from '../views.ts';
import type { NotificationsInstance } from '../instance.ts';
import type { FastifyRequest } from 'fastify';
import { requireUser } from './helpers.ts';

const tags = ['webhooks'];

export function webhookRoutes(app: ServiceApp, inst: NotificationsInstance): void {
  const { deps } = inst;
  const allowPrivate = deps.settings.PORTICO_WEBHOOK_ALLOW_PRIVATE;

  const checkUrl = async (url: string) => {
    const problem = await targetProblem(url, allowPrivate);
    if (problem) throw AppError.validation([{ field: 'url', code: 'forbidden_target', message: problem }]);
  };

  /** The endpoint if the caller may use it for `action`; others' answer 404. */
  const endpointFor = async (req: FastifyRequest, id: string, action: string): Promise<EndpointRow> => {
    const e = await findEndpoint(deps.db, id);
    if (!e || !can(req.caller, `webhooks:${action}`, { ownerId: e.user_id }))
      throw AppError.notFound('Webhook');
    return e;
  };

  app.post(
    '/api/v1/webhooks',
    {
      config: { permission: 'webhooks:create' },
      schema: {
        tags,
        summary: 'Register a webhook endpoint',
        description:
          'The response carries the signing `secret` (whsec_…) this once. URLs that resolve to private, loopback or link-local addresses are refused.',
        body: WebhookCreateBody,
        response: { 201: WebhookCreatedSchema },
      },
    },
    async (req, reply) => {
      const me = requireUser(req);
      await checkUrl(req.body.url);
      const secret = generateSecret();
      const e = await insertEndpoint(deps.db, {
        user_id: me,
        url: req.body.url,
        description: req.body.description ?? null,
        event_types: req.body.event_types,
        scope: hasRole(req.caller, 'admin') ? 'all' : 'own',
        secret,
      });
      return reply
        .code(201)
        .header('location', `/api/v1/webhooks/${e.id}`)
        .send({ ...webhookView(e), secret });
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      config: { permission: 'webhooks:read' },
      schema: {
        tags,
        summary: 'List my webhook endpoints',
        querystring: Type.Object({ ...PageQuery }),
        response: { 200: PageOf(WebhookSchema) },
      },
    },
    async (req, reply) => {
      return listPage(
        reply,
        endpointsQuery(deps.db, requireUser(req)),
        { sort: 'created_at', direction: 'desc' },
        webhookView,
      );
    },
  );

  app.get(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:read' },
      schema: { tags, summary: 'One webhook endpoint', params: IdParams, response: { 200: WebhookSchema } },
    },
    async (req) => webhookView(await endpointFor(req, req.params.id, 'read')),
  );

  app.patch(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:update' },
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        description: '`status: active` re-enables an endpoint that was disabled (for example after a 410).',
        params: IdParams,
        body: WebhookPatchBody,
        response: { 200: WebhookSchema },
      },
    },
    async (req) => {
      const e = await endpointFor(req, req.params.id, 'update');
      const b = req.body;
      if (b.url !== undefined) await checkUrl(b.url);
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
      return webhookView(updated);
    },
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      config: { permission: 'webhooks:delete' },
      schema: {
        tags,
        summary: 'Delete a webhook endpoint',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const e = await endpointFor(req, req.params.id, 'delete');
      await deleteEndpoint(deps.db, e.id);
      return reply.code(204).send(null);
    },
  );

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
      const e = await endpointFor(req, req.params.id, 'read');
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
      const e = await endpointFor(req, req.params.id, 'read');
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
      const e = await endpointFor(req, req.params.id, 'update');
      const d = await findDelivery(deps.db, e.id, req.params.delivery_id);
      if (!d) throw AppError.notFound('Delivery');
      if (e.status !== 'active')
        throw new AppError(
          'invalid_state',
          'The endpoint is disabled; re-enable it with PATCH {"status":"active"} first',
        );
      const requeued = await requeueDelivery(deps.db, d.id, Math.max(0, inst.webhookSchedule.length - 1));
      if (!requeued)
        throw new AppError(
          'invalid_state',
          'The delivery is still pending; it will be attempted on schedule',
        );
      inst.webhooks.nudge();
      return reply
        .code(202)
        .send(deliveryView(requeued, (await attemptsOf(deps.db, [d.id])).get(d.id) ?? []));
    },
  );
}
