/**
 * Notification templates (admin, staff): `{{name}}` placeholders in title and body. Sending a
 * template renders it with `variables` (a missing one → 422 naming it) and queues a bulk job.
 */
import { AppError, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import type { FieldError } from '@portico/kit';
import {
  BulkJobSchema,
  IdParams,
  TemplateCreateBody,
  TemplatePatchBody,
  TemplateSchema,
  TemplateSendBody,
} from '../schemas.ts';
import {
  deleteTemplate,
  findTemplate,
  insertTemplate,
  templatesQuery,
  updateTemplate,
} from '../repository/templates.ts';
import { insertJob } from '../repository/bulk.ts';
import { render, syntaxError } from '../domain/templates.ts';
import { jobView, templateView } from '../views.ts';
import type { NotificationsInstance } from '../instance.ts';
import { isUniqueViolation, requireAllScope } from './helpers.ts';

const tags = ['notification-templates'];

function checkSyntax(fields: { title?: string | undefined; body?: string | undefined }): void {
  const errors: FieldError[] = [];
  for (const [field, text] of Object.entries(fields)) {
    const problem = text === undefined ? null : syntaxError(text);
    if (problem) errors.push({ field, code: 'template_syntax', message: problem });
  }
  if (errors.length) throw AppError.validation(errors);
}

const nameTaken = (name: string) =>
  new AppError('already_exists', `A template named ${name} already exists`, {
    errors: [{ field: 'name', code: 'already_exists', message: 'is taken' }],
  });

export function templateRoutes(app: ServiceApp, inst: NotificationsInstance): void {
  const { deps } = inst;

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
      const b = req.body;
      checkSyntax({ title: b.title, body: b.body });
      try {
        const t = await insertTemplate(deps.db, {
          name: b.name,
          description: b.description ?? null,
          channel: b.channel ?? 'in_app',
          title: b.title,
          body: b.body,
          created_by: req.caller.id,
        });
        return reply
          .code(201)
          .header('location', `/api/v1/notification-templates/${t.id}`)
          .send(templateView(t));
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(b.name);
        throw err;
      }
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
      const b = req.body;
      checkSyntax({ title: b.title, body: b.body });
      try {
        const t = await updateTemplate(deps.db, req.params.id, {
          ...(b.name !== undefined && { name: b.name }),
          ...(b.description !== undefined && { description: b.description }),
          ...(b.channel !== undefined && { channel: b.channel }),
          ...(b.title !== undefined && { title: b.title }),
          ...(b.body !== undefined && { body: b.body }),
        });
        if (!t) throw AppError.notFound('Template');
        return templateView(t);
      } catch (err) {
        if (isUniqueViolation(err)) throw nameTaken(b.name ?? '');
        throw err;
      }
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
      const t = await findTemplate(deps.db, req.params.id);
      if (!t) throw AppError.notFound('Template');
      const variables = req.body.variables ?? {};
      const title = render(t.title, variables);
      const body = render(t.body, variables);
      const missing = [...new Set([...(title.ok ? [] : title.missing), ...(body.ok ? [] : body.missing)])];
      if (missing.length > 0 || !title.ok || !body.ok) {
        throw AppError.validation(
          missing.map((name) => ({
            field: `variables.${name}`,
            code: 'missing',
            message: `is used by the template as {{${name}}} but has no value`,
          })),
          `Missing template variable${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`,
        );
      }
      const job = await deps.tx((trx) =>
        insertJob(
          trx,
          {
            created_by: req.caller.id,
            channel: t.channel,
            title: title.text,
            body: body.text,
            template_id: t.id,
            role: null,
          },
          req.body.user_ids,
        ),
      );
      inst.bulk.nudge();
      return reply.code(202).header('location', `/api/v1/notifications/bulk/${job.id}`).send(jobView(job));
    },
  );
}
