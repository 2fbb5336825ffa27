/**
 * `/api/v1/staff/{id}/salaries`: salary history `{amount, currency, effective_date}`. Admins
 * record and read any; a staff member reads their own history (their linked login); anyone
 * else gets 404. Amounts are integer minor units > 0 with an ISO 4217 currency.
 */
import { AppError, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import { recordSalary } from '../commands/record-salary.ts';
import { actorOf, viewerOf } from '../commands/viewer.ts';
import type { RouteModule } from '../deps.ts';
import { canSeeSalaries } from '../domain/access.ts';
import { salariesOf } from '../repository/salaries.ts';
import { findStaff } from '../repository/staff.ts';
import { toSalary } from '../views.ts';
import { Day, Id, IdParams, Nullable, Timestamp } from './common.ts';

const tags = ['salaries'];

const SalarySchema = Type.Object({
  id: Type.String(),
  staff_id: Type.String(),
  amount: Type.Integer({ description: 'Minor units (cents), e.g. 125000 = 1,250.00' }),
  currency: Type.String(),
  effective_date: Type.String({ format: 'date' }),
  recorded_by: Nullable(Type.String()),
  created_at: Timestamp,
});

const CreateBody = Type.Object({
  amount: Type.Integer({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Integer minor units, > 0',
  }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. KES', examples: ['KES'] }),
  effective_date: Day,
});

export const salaryRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/staff/:id/salaries',
    {
      config: { permission: 'salaries:create' },
      schema: {
        tags,
        summary: 'Record a salary (history is append-only; the latest effective one is current)',
        params: IdParams,
        body: CreateBody,
        response: { 201: SalarySchema },
      },
    },
    async (req, reply) => {
      const row = await recordSalary(deps, actorOf(req), req.params.id, req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/staff/${row.staff_id}/salaries/${row.id}`)
        .send(toSalary(row));
    },
  );

  const visibleStaff = async (caller: Parameters<typeof viewerOf>[0], id: string) => {
    const staff = await findStaff(deps.db, id);
    if (!staff || !canSeeSalaries(viewerOf(caller), staff)) throw AppError.notFound('Staff member');
    return staff;
  };

  app.get(
    '/api/v1/staff/:id/salaries',
    {
      schema: {
        tags,
        summary: 'Salary history, newest effective date first (admins; the person themselves)',
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }),
        response: { 200: PageOf(SalarySchema) },
      },
    },
    async (req, reply) => {
      const staff = await visibleStaff(req.caller, req.params.id);
      return listPage(
        reply,
        salariesOf(deps.db, staff.id),
        { sort: 'salaries.effective_date', direction: 'desc', id: 'salaries.id' },
        toSalary,
      );
    },
  );

  app.get(
    '/api/v1/staff/:id/salaries/:sid',
    {
      schema: {
        tags,
        summary: 'One salary record',
        params: Type.Object({ id: Id, sid: Id }),
        response: { 200: SalarySchema },
      },
    },
    async (req) => {
      const staff = await visibleStaff(req.caller, req.params.id);
      const row = await salariesOf(deps.db, staff.id)
        .where('salaries.id', '=', req.params.sid)
        .executeTakeFirst();
      if (!row) throw AppError.notFound('Salary');
      return toSalary(row);
    },
  );
};
