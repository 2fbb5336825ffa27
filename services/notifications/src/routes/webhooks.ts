/**
 * Webhook endpoints (own; admin endpoints receive every user's events): register, list, read,
 * change, delete. The signing secret is shown once, in the 201 response. Their delivery history
 * is routes/webhook-deliveries.ts.
 */
import { listPage, PageOf, PageQuery, Type, requireUserId } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { changeEndpoint, loadEndpointFor, registerEndpoint } from '../commands/webhooks.ts';
import type { Deps } from '../deps.ts';
import { WEBHOOK_EVENT_TYPES } from '../events.ts';
import { deleteEndpoint, endpointsQuery } from '../repository/webhooks.ts';
import { webhookView } from '../views.ts';
import { DateTime, Description, IdParams } from './common.ts';

const tags = ['webhooks'];

const EventType = Type.Enum(['*', ...WEBHOOK_EVENT_TYPES]);

const WebhookSchema = Type.Object({
  id: Type.String(),
  user_id: Type.String(),
  url: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  event_types: Type.Array(Type.String()),
  scope: Type.Union([Type.Literal('own'), Type.Literal('all')], {
    description: 'own: events about the owner; all: every event (endpoints of admins)',
  }),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  disabled_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  updated_at: DateTime,
  links: Type.Object({ self: Type.String(), deliveries: Type.String() }),
});

const WebhookCreatedSchema = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'whsec_… signing secret; shown only in this response' }),
});

const Url = Type.String({ minLength: 1, maxLength: 2048 });
const EventTypes = Type.Array(EventType, { minItems: 1, maxItems: 50, uniqueItems: true });

const WebhookCreateBody = Type.Object({
  url: Url,
  event_types: EventTypes,
  description: Type.Optional(Description),
});

const WebhookPatchBody = Type.Object({
  url: Type.Optional(Url),
  event_types: Type.Optional(EventTypes),
  description: Type.Optional(Description),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
});

export function webhookRoutes(app: ServiceApp, deps: Deps): void {
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
      const { endpoint, secret } = await registerEndpoint(deps, req.caller, requireUserId(req), req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/webhooks/${endpoint.id}`)
        .send({ ...webhookView(endpoint), secret });
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
        endpointsQuery(deps.db, requireUserId(req)),
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
    async (req) => webhookView(await loadEndpointFor(deps.db, req.caller, req.params.id, 'read')),
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
    async (req) => webhookView(await changeEndpoint(deps, req.caller, req.params.id, req.body)),
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
      const e = await loadEndpointFor(deps.db, req.caller, req.params.id, 'delete');
      await deleteEndpoint(deps.db, e.id);
      return reply.code(204).send(null);
    },
  );
}
