/**
 * Bulk sends (admin, staff): `202 Accepted` with a job to poll. The recipients are fixed when
 * the job is created — the given `user_ids`, or every active user with `role` in the users read
 * model — and the bulk worker sends to them in batches.
 */
import { AppError, can, Type } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { ROLES } from '@portico/contracts';
import { queueBulkSend } from '../commands/bulk-send.ts';
import type { Deps } from '../deps.ts';
import { findJob } from '../repository/bulk.ts';
import { jobView } from '../views.ts';
import {
  Body,
  ChannelSchema,
  DateTime,
  Id,
  IdParams,
  NullableDateTime,
  requireAllScope,
  Title,
} from './common.ts';

const tags = ['notifications'];

const BulkBody = Type.Object({
  user_ids: Type.Optional(
    Type.Array(Id, { minItems: 1, maxItems: 10_000, description: 'Recipients (or `role`)' }),
  ),
  role: Type.Optional(
    Type.Enum([...ROLES], { description: 'Every active user with this role (or `user_ids`)' }),
  ),
  title: Title,
  body: Body,
  channel: Type.Optional(ChannelSchema),
});

export const BulkJobSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed')]),
  channel: ChannelSchema,
  total: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer({ description: 'Recipients who turned the channel off' }),
  role: Type.Union([Type.String(), Type.Null()]),
  template_id: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  started_at: NullableDateTime,
  completed_at: NullableDateTime,
  links: Type.Object({ self: Type.String() }),
});

export function bulkRoutes(app: ServiceApp, deps: Deps): void {
  app.post(
    '/api/v1/notifications/bulk',
    {
      config: { permission: 'notifications:send' },
      schema: {
        tags,
        summary: 'Send to many users in the background (admin, staff)',
        description:
          'Give exactly one of `user_ids` and `role`. Answers 202 with a job; poll its `links.self` until `status` is `completed`.',
        body: BulkBody,
        response: { 202: BulkJobSchema },
      },
    },
    async (req, reply) => {
      requireAllScope(req, 'notifications:send');
      const job = await queueBulkSend(deps, req.caller, req.body);
      return reply.code(202).header('location', `/api/v1/notifications/bulk/${job.id}`).send(jobView(job));
    },
  );

  app.get(
    '/api/v1/notifications/bulk/:id',
    {
      config: { permission: 'notifications:send' },
      schema: {
        tags,
        summary: 'Progress of a bulk send',
        params: IdParams,
        response: { 200: BulkJobSchema },
      },
    },
    async (req) => {
      requireAllScope(req, 'notifications:send');
      const job = await findJob(deps.db, req.params.id);
      if (!job || !can(req.caller, 'notifications:send', { ownerId: job.created_by }))
        throw AppError.notFound('Bulk job');
      return jobView(job);
    },
  );
}
