/**
 * `/api/v1/staff`: staff members. Admins write; admins and staff read the directory; anyone
 * with a linked record reads it (`GET /api/v1/staff/me`, or by id) — others' records answer
 * 404 to a caller without the directory grant. DELETE is soft (`inactive`, `staff.deactivated`).
 * `current_salary` appears only for an admin or the person themselves.
 */
import { AppError, PageOf, PageQuery, Type, paginate, sendPage, type Caller } from '@portico/kit';
import { changeStaff, createStaff, deactivateStaff } from '../commands/manage-staff.ts';
import { currentSalaries } from '../commands/record-salary.ts';
import { loadVisibleStaff, viewerOf } from '../commands/viewer.ts';
import type { Db, RouteModule } from '../deps.ts';
import { canSeeSalaries } from '../domain/access.ts';
import { findStaffByUser, staffQuery } from '../repository/staff.ts';
import type { StaffRow } from '../tables.ts';
import { toStaff } from '../views.ts';
import { Day, Id, IdParams, Nullable, RecordStatus, Text, Timestamp } from './common.ts';

const tags = ['staff'];

const CurrentSalary = Type.Object({
  salary_id: Type.String(),
  amount: Type.Integer({ description: 'Minor units' }),
  currency: Type.String(),
  effective_date: Type.String({ format: 'date' }),
});

const StaffSchema = Type.Object({
  id: Type.String(),
  employee_number: Type.String(),
  email: Type.String(),
  full_name: Type.String(),
  position: Type.String(),
  department_id: Type.String(),
  hire_date: Type.String({ format: 'date' }),
  user_id: Nullable(Type.String()),
  status: RecordStatus,
  current_salary: Type.Optional(Nullable(CurrentSalary)),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({
    self: Type.String(),
    department: Type.String(),
    salaries: Type.String(),
    absences: Type.String(),
  }),
});

const EmployeeNumber = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$',
  description: 'Letters, digits and . _ / -, up to 32; unique ignoring case',
  examples: ['EMP-0042'],
});
const Email = Type.String({ format: 'email', maxLength: 254, description: 'Unique, ignoring case' });
const UserId = Nullable(
  Type.String({ ...Id, pattern: '\\S', description: 'The linked login (identity user id); unique' }),
);

const Fields = {
  employee_number: EmployeeNumber,
  email: Email,
  full_name: Text(200),
  position: Text(120),
  department_id: Type.String({ ...Id, description: 'An active department' }),
  hire_date: Day,
};

const CreateBody = Type.Object({ ...Fields, user_id: Type.Optional(UserId) });
const UpdateBody = Type.Object(
  {
    employee_number: Type.Optional(Fields.employee_number),
    email: Type.Optional(Fields.email),
    full_name: Type.Optional(Fields.full_name),
    position: Type.Optional(Fields.position),
    department_id: Type.Optional(Fields.department_id),
    hire_date: Type.Optional(Fields.hire_date),
    user_id: Type.Optional(UserId),
    status: Type.Optional(RecordStatus),
  },
  { minProperties: 1 },
);

const SORTS = {
  full_name: { sort: 'staff.full_name', direction: 'asc' },
  '-full_name': { sort: 'staff.full_name', direction: 'desc' },
  created_at: { sort: 'staff.created_at', direction: 'asc' },
  '-created_at': { sort: 'staff.created_at', direction: 'desc' },
} as const;

const ListQuery = Type.Object({
  ...PageQuery,
  department_id: Type.Optional(Id),
  status: Type.Optional(RecordStatus),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'Searches name, email, employee number' })),
  sort: Type.Optional(
    Type.Enum(Object.keys(SORTS) as (keyof typeof SORTS)[], { description: 'Default `full_name`' }),
  ),
});

/** Public shapes for `rows`, with `current_salary` where this caller may see it. */
async function present(db: Db, caller: Caller, rows: StaffRow[]) {
  const viewer = viewerOf(caller);
  const shown = rows.filter((r) => canSeeSalaries(viewer, r));
  const salaries = await currentSalaries(
    db,
    shown.map((r) => r.id),
  );
  const ids = new Set(shown.map((r) => r.id));
  return rows.map((r) => (ids.has(r.id) ? toStaff(r, salaries.get(r.id) ?? null) : toStaff(r)));
}

const one = async (db: Db, caller: Caller, row: StaffRow) => (await present(db, caller, [row]))[0]!;

export const staffRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/staff',
    {
      config: { permission: 'staff:create' },
      schema: { tags, summary: 'Add a staff member', body: CreateBody, response: { 201: StaffSchema } },
    },
    async (req, reply) => {
      const row = await createStaff(deps, req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/staff/${row.id}`)
        .send(await one(deps.db, req.caller, row));
    },
  );

  app.get(
    '/api/v1/staff',
    {
      config: { permission: 'staff:read' },
      schema: {
        tags,
        summary: 'List staff members',
        querystring: ListQuery,
        response: { 200: PageOf(StaffSchema) },
      },
    },
    async (req, reply) => {
      const { limit, cursor, sort, ...filter } = req.query;
      const order = SORTS[(sort ?? 'full_name') as keyof typeof SORTS];
      const page = await paginate(staffQuery(deps.db, filter), {
        limit,
        cursor,
        sort: order.sort,
        direction: order.direction,
        id: 'staff.id',
      });
      return sendPage(reply, { ...page, data: await present(deps.db, req.caller, page.data) });
    },
  );

  app.get(
    '/api/v1/staff/me',
    {
      schema: {
        tags,
        summary: 'Your own staff record (through your linked login)',
        response: { 200: StaffSchema },
      },
    },
    async (req) => {
      const row = req.caller.id === null ? undefined : await findStaffByUser(deps.db, req.caller.id);
      if (!row) throw new AppError('not_found', 'No staff record is linked to your login');
      return one(deps.db, req.caller, row);
    },
  );

  app.get(
    '/api/v1/staff/:id',
    {
      schema: { tags, summary: 'Read a staff member', params: IdParams, response: { 200: StaffSchema } },
    },
    async (req) =>
      one(deps.db, req.caller, await loadVisibleStaff(deps.db, viewerOf(req.caller), req.params.id)),
  );

  app.patch(
    '/api/v1/staff/:id',
    {
      config: { permission: 'staff:update' },
      schema: {
        tags,
        summary: 'Change a staff member (status `inactive` deactivates, `active` reactivates)',
        params: IdParams,
        body: UpdateBody,
        response: { 200: StaffSchema },
      },
    },
    async (req) => one(deps.db, req.caller, await changeStaff(deps, req.params.id, req.body)),
  );

  app.delete(
    '/api/v1/staff/:id',
    {
      config: { permission: 'staff:delete' },
      schema: {
        tags,
        summary: 'Deactivate a staff member (soft delete; stays readable)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await deactivateStaff(deps, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
