/**
 * `POST /api/v1/competency-progress` `{student_id, competency_id, status, proficiency_level 1–4,
 * notes?}` (staff, admin, or an instructor of a course the student takes) and
 * `GET /api/v1/students/{id}/competency-progress` (the student: their own, anyone else's → 404;
 * staff: all; an instructor: students of their courses, others → 404). Newest first.
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { recordProgress } from '../commands/record-progress.ts';
import { viewerOf } from '../commands/viewer.ts';
import type { RouteModule } from '../deps.ts';
import { isOwnStudent } from '../domain/access.ts';
import { COMPETENCY_STATUSES, PROFICIENCY_MAX, PROFICIENCY_MIN } from '../domain/cbc.ts';
import { taughtBy } from '../repository/enrollments.ts';
import { progressOf } from '../repository/progress.ts';
import { progressView } from '../views.ts';
import { Id, IdParams, Nullable, Timestamp } from './common.ts';

const tags = ['competency-progress'];
const Level = Type.Integer({ minimum: PROFICIENCY_MIN, maximum: PROFICIENCY_MAX, description: '1–4' });

const ProgressSchema = Type.Object({
  id: Type.String(),
  student_id: Type.String(),
  competency_id: Type.String(),
  status: Type.Enum(COMPETENCY_STATUSES),
  proficiency_level: Type.Integer(),
  notes: Nullable(Type.String()),
  assessed_by: Type.String(),
  created_at: Timestamp,
});

const RecordBody = Type.Object({
  student_id: Id,
  competency_id: Id,
  status: Type.Enum(COMPETENCY_STATUSES, { description: 'not_started → in_progress → achieved → mastered' }),
  proficiency_level: Level,
  notes: Type.Optional(Nullable(Type.String({ maxLength: 5000 }))),
});

export const progressRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/competency-progress',
    {
      config: { permission: 'grades:write' },
      schema: {
        tags,
        summary: 'Record a student’s progress on a competency; publishes competency.progress_recorded',
        body: RecordBody,
        response: { 201: ProgressSchema },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(deps.db, req.caller);
      const row = await recordProgress(deps, { caller: req.caller }, viewer, req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/students/${row.student_id}/competency-progress`)
        .send(progressView(row));
    },
  );

  app.get(
    '/api/v1/students/:id/competency-progress',
    {
      config: { permission: 'enrollments:read' },
      schema: {
        tags,
        summary: 'A student’s competency progress history (newest first)',
        params: IdParams,
        querystring: Type.Object({ ...PageQuery, competency_id: Type.Optional(Id) }),
        response: { 200: PageOf(ProgressSchema) },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(deps.db, req.caller);
      const id = req.params.id;
      if (!viewer.manager && !isOwnStudent(viewer, id) && !(await taughtBy(deps.db, id, viewer.staffIds)))
        throw AppError.notFound('Student');
      return listPage(
        reply,
        progressOf(deps.db, id, req.query.competency_id),
        { sort: 'created_at' },
        progressView,
      );
    },
  );
};
