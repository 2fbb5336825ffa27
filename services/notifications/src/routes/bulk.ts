/**
 * Bulk sends (admin, staff): `202 Accepted` with a job to poll. The recipients are fixed when
 * the job is created — the given `user_ids`, or every active user with `role` in the users read
 * model — and the bulk worker sends to them in batches.
 */
import { AppError, can } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import { BulkBody, BulkJobSchema, IdParams } from '../schemas.ts';
import { findJob, insertJob } from '../repository/bulk.ts';
import { activeUserIdsWithRole } from '../repository/users.ts';
import { jobView } from '../views.ts';
import type { NotificationsInstance } from '../instance.ts';
import { requireAllScope } from './helpers.ts';

const tags = ['notifications'];

export function bulkRoutes(app: ServiceApp, inst: NotificationsInstance): void {
  const { deps } = inst;

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
      const b = req.body;
      if ((b.user_ids === undefined) === (b.role === undefined)) {
        const field = b.user_ids === undefined ? 'user_ids' : 'role';
        throw AppError.validation([
          { field, code: 'one_of', message: 'give exactly one of user_ids and role' },
        ]);
      }
      const job = await deps.tx(async (trx) => {
        const ids = b.user_ids ?? (await activeUserIdsWithRole(trx, b.role!));
        return insertJob(
          trx,
          {
            created_by: req.caller.id,
            channel: b.channel ?? 'in_app',
            title: b.title,
            body: b.body,
            template_id: null,
            role: b.role ?? null,
          },
          ids,
        );
      });
      inst.bulk.nudge();
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
