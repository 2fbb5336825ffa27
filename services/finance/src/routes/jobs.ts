/** `POST /api/v1/finance/jobs/mark-overdue`: run the overdue job now (admin) — the worker runs it on a timer too. */
import { AppError, hasRole, Type } from '@portico/kit';
import { markOverdue, today } from '../commands/mark-overdue.ts';
import type { RouteModule } from '../deps.ts';
import { CalendarDate, JobResult } from '../schemas.ts';

export const jobRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/finance/jobs/mark-overdue',
    {
      config: { permission: 'finance:jobs' },
      schema: {
        tags: ['reports'],
        summary: 'Mark overdue invoices now (admin)',
        description:
          'Open invoices whose due date is before `as_of` (default and at most today, UTC; later → 422) with a balance due ' +
          'become `overdue`; ' +
          'each publishes `invoice.overdue` once.',
        body: Type.Optional(Type.Object({ as_of: Type.Optional(CalendarDate) })),
        response: { 200: JobResult },
      },
    },
    async (req) => {
      if (!hasRole(req.caller, 'admin')) throw new AppError('forbidden', 'Only an admin runs finance jobs');
      const asOf = req.body?.as_of ?? today();
      // Marking against a future day would call invoices overdue before they are.
      if (asOf > today())
        throw AppError.validation([
          { field: 'as_of', code: 'out_of_range', message: 'must not be after today (UTC)' },
        ]);
      const ids = await markOverdue(deps, asOf);
      return { as_of: asOf, marked: ids.length, invoice_ids: ids };
    },
  );
};
