/**
 * `/api/v1/departments` `{name, description?, head_staff_id?}`: admins write; admins and staff
 * read. Names are unique among active departments ignoring case (409 naming `name`); DELETE
 * is soft and refused with 409 while the department has active staff.
 */
import { PageOf, PageQuery, Type, listPage } from '@portico/kit';
import {
  changeDepartment,
  createDepartment,
  deleteDepartment,
  loadDepartment,
} from '../commands/manage-departments.ts';
import type { RouteModule } from '../deps.ts';
import { departmentsQuery } from '../repository/departments.ts';
import { toDepartment } from '../views.ts';
import { Id, IdParams, Nullable, RecordStatus, Text, Timestamp } from './common.ts';

const tags = ['departments'];

const DepartmentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  head_staff_id: Nullable(Type.String()),
  status: RecordStatus,
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), staff: Type.String() }),
});

const Name = Text(120, 'Unique among active departments, ignoring case');
const Description = Nullable(Type.String({ maxLength: 2000 }));
const HeadStaffId = Nullable(
  Type.String({ ...Id, description: 'An active staff member who decides the department’s absences' }),
);

const CreateBody = Type.Object({
  name: Name,
  description: Type.Optional(Description),
  head_staff_id: Type.Optional(HeadStaffId),
});
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    head_staff_id: Type.Optional(HeadStaffId),
  },
  { minProperties: 1 },
);
const ListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Union([RecordStatus, Type.Literal('all')], { description: 'Default `active`' })),
});

export const departmentRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/departments',
    {
      config: { permission: 'departments:create' },
      schema: { tags, summary: 'Create a department', body: CreateBody, response: { 201: DepartmentSchema } },
    },
    async (req, reply) => {
      const row = await createDepartment(deps, req.body);
      return reply.code(201).header('location', `/api/v1/departments/${row.id}`).send(toDepartment(row));
    },
  );

  app.get(
    '/api/v1/departments',
    {
      config: { permission: 'departments:read' },
      schema: {
        tags,
        summary: 'List departments by name',
        querystring: ListQuery,
        response: { 200: PageOf(DepartmentSchema) },
      },
    },
    async (req, reply) =>
      listPage(
        reply,
        departmentsQuery(deps.db, { status: req.query.status }),
        { sort: 'name', direction: 'asc' },
        toDepartment,
      ),
  );

  app.get(
    '/api/v1/departments/:id',
    {
      config: { permission: 'departments:read' },
      schema: { tags, summary: 'Read a department', params: IdParams, response: { 200: DepartmentSchema } },
    },
    async (req) => toDepartment(await loadDepartment(deps.db, req.params.id)),
  );

  app.patch(
    '/api/v1/departments/:id',
    {
      config: { permission: 'departments:update' },
      schema: {
        tags,
        summary: 'Rename a department, describe it or set its head',
        params: IdParams,
        body: UpdateBody,
        response: { 200: DepartmentSchema },
      },
    },
    async (req) => toDepartment(await changeDepartment(deps, req.params.id, req.body)),
  );

  app.delete(
    '/api/v1/departments/:id',
    {
      config: { permission: 'departments:delete' },
      schema: {
        tags,
        summary: 'Delete a department (soft); 409 while it has active staff',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await deleteDepartment(deps, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
