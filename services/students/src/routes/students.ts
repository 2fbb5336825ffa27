/**
 * `/api/v1/students`: create, list (status, q, sort, keyset pages), read (`/me` for the
 * caller's own record), change, deactivate. Admin and staff write; admin, staff and
 * instructors read every record; a student reads only the record linked to their login
 * (others answer 404); any other role is refused (403).
 */
import { scopeOf, sendPage, mapPage, PageOf, Type, type ServiceApp } from '@portico/kit';
import { loadOwnStudent, loadStudentFor, READ } from '../commands/access.ts';
import { createStudent } from '../commands/create-student.ts';
import { deactivateStudent, updateStudentRecord } from '../commands/update-student.ts';
import { DEFAULT_STUDENT_SORT } from '../domain/student.ts';
import { listStudents } from '../repository/students.ts';
import { studentView } from '../views.ts';
import {
  CreateStudentBody,
  IdParams,
  StudentListQuery,
  StudentSchema,
  UpdateStudentBody,
} from './schemas.ts';
import type { Deps } from '../events.ts';

const tags = ['students'];

export function studentRoutes(app: ServiceApp, deps: Deps): void {
  app.post(
    '/api/v1/students',
    {
      config: { permission: 'students:create' },
      schema: {
        tags,
        summary: 'Create a student (admin, staff)',
        description:
          '`student_number` (`^[A-Z]{2}\\d{6}$`), `email` (ignoring case) and `user_id` are unique: ' +
          'a duplicate answers 409 `already_exists` naming each field. Status starts `active`. ' +
          'Publishes `student.created`.',
        body: CreateStudentBody,
        response: { 201: StudentSchema },
      },
    },
    async (req, reply) => {
      const row = await createStudent(deps, req.body);
      return reply.code(201).header('location', `/api/v1/students/${row.id}`).send(studentView(row));
    },
  );

  app.get(
    '/api/v1/students',
    {
      config: { permission: READ },
      schema: {
        tags,
        summary: 'List students (admin, staff, instructor; a student sees only their own record)',
        querystring: StudentListQuery,
        response: { 200: PageOf(StudentSchema) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const page = await listStudents(deps.db, {
        ...(scopeOf(req.caller, READ) !== 'all' && { onlyUser: req.caller.id }),
        status: q.status,
        q: q.q,
        sort: q.sort ?? DEFAULT_STUDENT_SORT,
        limit: q.limit,
        cursor: q.cursor,
      });
      return sendPage(reply, mapPage(page, studentView));
    },
  );

  app.get(
    '/api/v1/students/me',
    {
      config: { permission: READ },
      schema: {
        tags,
        summary: 'The student record linked to your login (404 when there is none)',
        response: { 200: StudentSchema },
      },
    },
    async (req) => studentView(await loadOwnStudent(deps.db, req.caller)),
  );

  app.get(
    '/api/v1/students/:id',
    {
      config: { permission: READ },
      schema: {
        tags,
        summary: 'Read a student (admin, staff, instructor, or the linked student)',
        params: IdParams,
        response: { 200: StudentSchema },
      },
    },
    async (req) => studentView(await loadStudentFor(deps.db, req.caller, req.params.id)),
  );

  app.patch(
    '/api/v1/students/:id',
    {
      config: { permission: 'students:update' },
      schema: {
        tags,
        summary: 'Change a student (admin, staff)',
        description:
          'Any subset of the fields, and `status` (any of the four may follow any other). ' +
          'Uniqueness as on create (409). Publishes `student.updated`, or `student.deactivated` ' +
          'when the status becomes `inactive`; a PATCH that changes nothing publishes nothing.',
        params: IdParams,
        body: UpdateStudentBody,
        response: { 200: StudentSchema },
      },
    },
    async (req) => studentView(await updateStudentRecord(deps, req.params.id, req.body)),
  );

  app.delete(
    '/api/v1/students/:id',
    {
      config: { permission: 'students:delete' },
      schema: {
        tags,
        summary: 'Deactivate a student (admin, staff): soft delete to `inactive`',
        description:
          'The record stays readable with status `inactive` (enrolments, grades and invoices refer ' +
          'to it). Publishes `student.deactivated` once; deleting an inactive student again is a no-op 204.',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await deactivateStudent(deps, req.params.id);
      return reply.code(204).send(null);
    },
  );
}
