/**
 * Absences: `POST/GET /api/v1/staff/{id}/absences` (the person themselves or an admin files;
 * the person, their department head and admins read), decisions `…/{aid}/approve` and
 * `…/{aid}/reject` (an admin or the department head, never the person), and
 * `GET /api/v1/absences` — the queue a decider works from (admin: everyone's; a head: their
 * departments'; anyone else: their own).
 */
import { AppError, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import { decideAbsence, fileAbsence, staffForAbsences } from '../commands/absences.ts';
import { actorOf as actor, viewerOf } from '../commands/viewer.ts';
import type { RouteModule } from '../deps.ts';
import { ABSENCE_STATUSES, ABSENCE_TYPES } from '../domain/absence.ts';
import { absencesOf, findAbsence, visibleAbsences } from '../repository/absences.ts';
import { toAbsence } from '../views.ts';
import { Day, Id, IdParams, Nullable, Text, Timestamp } from './common.ts';

const tags = ['absences'];

const Status = Type.Enum(ABSENCE_STATUSES);
const Kind = Type.Enum(ABSENCE_TYPES, { description: 'Default `other`' });

const AbsenceSchema = Type.Object({
  id: Type.String(),
  staff_id: Type.String(),
  start_date: Type.String({ format: 'date' }),
  end_date: Type.String({ format: 'date' }),
  days: Type.Integer({ description: 'Calendar days covered, both ends included' }),
  type: Kind,
  reason: Type.String(),
  status: Status,
  requested_by: Nullable(Type.String()),
  decided_by: Nullable(Type.String()),
  decided_at: Nullable(Timestamp),
  decision_reason: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), staff: Type.String() }),
});

const CreateBody = Type.Object({
  start_date: Day,
  end_date: Type.String({ format: 'date', description: 'On or after `start_date` (inclusive)' }),
  reason: Text(1000),
  type: Type.Optional(Kind),
});
const RejectBody = Type.Object({ reason: Type.Optional(Text(1000)) });
const AbsenceParams = Type.Object({ id: Id, aid: Id });

export const absenceRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/staff/:id/absences',
    {
      schema: {
        tags,
        summary: 'File an absence (the staff member themselves, or an admin)',
        params: IdParams,
        body: CreateBody,
        response: { 201: AbsenceSchema },
      },
    },
    async (req, reply) => {
      const row = await fileAbsence(deps, actor(req), req.params.id, req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/staff/${row.staff_id}/absences/${row.id}`)
        .send(toAbsence(row));
    },
  );

  app.get(
    '/api/v1/staff/:id/absences',
    {
      schema: {
        tags,
        summary: 'A staff member’s absences, newest first',
        params: IdParams,
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(Status) }),
        response: { 200: PageOf(AbsenceSchema) },
      },
    },
    async (req, reply) => {
      const { staff } = await staffForAbsences(deps.db, viewerOf(req.caller), req.params.id);
      return listPage(
        reply,
        absencesOf(deps.db, staff.id, req.query.status),
        { sort: 'absences.created_at', direction: 'desc', id: 'absences.id' },
        toAbsence,
      );
    },
  );

  app.get(
    '/api/v1/staff/:id/absences/:aid',
    {
      schema: { tags, summary: 'One absence', params: AbsenceParams, response: { 200: AbsenceSchema } },
    },
    async (req) => {
      const { staff } = await staffForAbsences(deps.db, viewerOf(req.caller), req.params.id);
      const row = await findAbsence(deps.db, staff.id, req.params.aid);
      if (!row) throw AppError.notFound('Absence');
      return toAbsence(row);
    },
  );

  app.post(
    '/api/v1/staff/:id/absences/:aid/approve',
    {
      schema: {
        tags,
        summary: 'Approve a pending absence (admin or department head; not your own)',
        params: AbsenceParams,
        response: { 200: AbsenceSchema },
      },
    },
    async (req) =>
      toAbsence(await decideAbsence(deps, actor(req), req.params.id, req.params.aid, 'approve', null)),
  );

  app.post(
    '/api/v1/staff/:id/absences/:aid/reject',
    {
      schema: {
        tags,
        summary: 'Reject a pending absence (admin or department head; not your own)',
        params: AbsenceParams,
        body: RejectBody,
        response: { 200: AbsenceSchema },
      },
    },
    async (req) =>
      toAbsence(
        await decideAbsence(
          deps,
          actor(req),
          req.params.id,
          req.params.aid,
          'reject',
          req.body?.reason?.trim() ?? null,
        ),
      ),
  );

  app.get(
    '/api/v1/absences',
    {
      schema: {
        tags,
        summary:
          'Absences you may decide or see (admin: all; a department head: their departments’; else your own), oldest first',
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(Status),
          staff_id: Type.Optional(Id),
          department_id: Type.Optional(Id),
        }),
        response: { 200: PageOf(AbsenceSchema) },
      },
    },
    async (req, reply) => {
      const { status, staff_id, department_id } = req.query;
      const viewer = viewerOf(req.caller);
      return listPage(
        reply,
        visibleAbsences(deps.db, viewer.managesAbsences ? undefined : viewer.userId, {
          status,
          staff_id,
          department_id,
        }),
        { sort: 'absences.created_at', direction: 'asc', id: 'absences.id' },
        toAbsence,
      );
    },
  );
};
