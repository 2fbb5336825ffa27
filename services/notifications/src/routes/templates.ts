/**
 * Notification templates (admin, staff): `{{name}}` placeholders in title and body. Sending a
 * template renders it with `variables` (a missing one → 422 naming it) and queues a bulk job.
 */
import { AppError, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { sendTemplate } from '../commands/bulk-send.ts';
import { changeTemplate, createTemplate } from '../commands/templates.ts';
import type { Deps } from '../deps.ts';
import { deleteTemplate, findTemplate, templatesQuery } from '../repository/templates.ts';
import { jobView, templateView } from '../views.ts';
import { BulkJobSchema } from './bulk.ts';
import {
  Body,
  ChannelSchema,
  DateTime,
  Description,
  Id,
  IdParams,
  requireAllScope,
  Title,
} from './common.ts';

const tags = ['notification-templates'];

const TemplateName = Type.String({ minLength: 1, maxLength: 100 });

const TemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  channel: ChannelSchema,
  title: Type.String(),
  body: Type.String(),
  variables: Type.Array(Type.String(), { description: 'The {{placeholders}} used by title and body' }),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  updated_at: DateTime,
  links: Type.Object({ self: Type.String(), send: Type.String() }),
});

const TemplateCreateBody = Type.Object({
  name: TemplateName,
  description: Type.Optional(Description),
  channel: Type.Optional(ChannelSchema),
  title: Title,
  body: Body,
});

const TemplatePatchBody = Type.Object({
  name: Type.Optional(TemplateName),
  description: Type.Optional(Description),
  channel: Type.Optional(ChannelSchema),
  title: Type.Optional(Title),
  body: Type.Optional(Body),
});

const TemplateSendBody = Type.Object({
  user_ids: Type.Array(Id, { minItems: 1, maxItems: 10_000 }),
  variables: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 100 }),
      Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean()]),
    ),
  ),
});

export function templateRoutes(app: ServiceApp, deps: Deps): void {
  app.post(
    '/api/v1/notification-templates',
    {
      config: { permission: 'notification-templates:create' },
      schema: {
        tags,
        summary: 'Create a template',
        body: TemplateCreateBody,
        response: { 201: TemplateSchema },
      },
    },
    async (req, reply) => {
      requireAllScope(req, 'notification-templates:create');
      const t = await createTemplate(deps, req.caller, req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/notification-templates/${t.id}`)
        .send(templateView(t));
    },
  );

  app.get(
    '/api/v1/notification-templates',
    {
      config: { permission: 'notification-templates:read' },
      schema: {
        tags,
        summary: 'List templates, newest first',
        querystring: Type.Object({ ...PageQuery }),
        response: { 200: PageOf(TemplateSchema) },
      },
    },
    async (req, reply) => {
      requireAllScope(req, 'notification-templates:read');
      return listPage(
        reply,
        templatesQuery(deps.db),
        { sort: 'created_at', direction: 'desc' },
        templateView,
      );
    },
  );

  app.get(
    '/api/v1/notification-templates/:id',
    {
      config: { permission: 'notification-templates:read' },
      schema: { tags, summary: 'One template', params: IdParams, response: { 200: TemplateSchema } },
    },
    async (req) => {
      requireAllScope(req, 'notification-templates:read');
      const t = await findTemplate(deps.db, req.params.id);
      if (!t) throw AppError.notFound('Template');
      return templateView(t);
    },
  );

  app.patch(
    '/api/v1/notification-templates/:id',
    {
      config: { permission: 'notification-templates:update' },
      schema: {
        tags,
        summary: 'Change a template',
        params: IdParams,
        body: TemplatePatchBody,
        response: { 200: TemplateSchema },
      },
    },
    async (req) => {
      requireAllScope(req, 'notification-templates:update');
      return templateView(await changeTemplate(deps, req.params.id, req.body));
    },
  );

  app.delete(
    '/api/v1/notification-templates/:id',
    {
      config: { permission: 'notification-templates:delete' },
      schema: { tags, summary: 'Delete a template', params: IdParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      requireAllScope(req, 'notification-templates:delete');
      if (!(await deleteTemplate(deps.db, req.params.id))) throw AppError.notFound('Template');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/notification-templates/:id/send',
    {
      config: { permission: 'notification-templates:send' },
      schema: {
        tags,
        summary: 'Render a template and send it to users',
        description:
          'Every {{placeholder}} needs a value in `variables` (422 naming the missing ones). Answers 202 with a bulk job.',
        params: IdParams,
        body: TemplateSendBody,
        response: { 202: BulkJobSchema },
      },
    },
    async (req, reply) => {
      requireAllScope(req, 'notification-templates:send');
      const job = await sendTemplate(deps, req.caller, req.params.id, req.body);
      return reply.code(202).header('location', `/api/v1/notifications/bulk/${job.id}`).send(jobView(job));
    },
  );
}
