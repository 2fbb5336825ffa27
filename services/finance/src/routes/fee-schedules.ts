/** `/api/v1/fee-schedules`: what enrolling in a course costs; `enrollment.created` for it issues the invoice (admin, staff). */
import { listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { requireAll } from '../access.ts';
import { translateUnique } from '@portico/kit';
import type { RouteModule } from '../deps.ts';
import { insertFeeSchedule } from '../repository/fee-schedules.ts';
import { FeeSchedule, FeeScheduleInput } from '../schemas.ts';

const tags = ['fee-schedules'];

const view = (f: {
  id: string;
  course_id: string;
  amount: number;
  currency: string;
  description: string | null;
  created_at: Date;
}) => ({
  id: f.id,
  course_id: f.course_id,
  amount: f.amount,
  currency: f.currency,
  description: f.description,
  created_at: f.created_at.toISOString(),
});

export const feeScheduleRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/fee-schedules',
    {
      config: { permission: 'finance:manage' },
      schema: {
        tags,
        summary: 'Set the fee for a course',
        description:
          'One schedule per course (409 `already_exists` naming `course_id`). From then on every `enrollment.created` ' +
          'for the course issues an invoice for `amount` (once per enrolment), due FINANCE_INVOICE_DUE_DAYS later.',
        body: FeeScheduleInput,
        response: { 201: FeeSchedule },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'finance:manage');
      const row = await insertFeeSchedule(deps.db, {
        id: uuidv7(),
        course_id: req.body.course_id,
        amount: req.body.amount,
        currency: req.body.currency,
        description: req.body.description?.trim() ?? null,
      }).catch((err: unknown) => translateUnique(err, 'fee schedule', 'course_id'));
      return reply
        .code(201)
        .header('location', `/api/v1/fee-schedules?course_id=${row.course_id}`)
        .send(view(row));
    },
  );

  app.get(
    '/api/v1/fee-schedules',
    {
      config: { permission: 'finance:read' },
      schema: {
        tags,
        summary: 'List fee schedules, newest first (admin, staff)',
        querystring: Type.Object({
          ...PageQuery,
          course_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: { 200: PageOf(FeeSchedule) },
      },
    },
    async (req, reply) => {
      requireAll(req.caller, 'finance:read');
      let q = deps.db.selectFrom('fee_schedules').selectAll();
      if (req.query.course_id) q = q.where('course_id', '=', req.query.course_id);
      return listPage(reply, q, { sort: 'created_at', direction: 'desc' }, view);
    },
  );
};
