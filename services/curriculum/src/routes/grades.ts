/**
 * Final grades: `PUT /api/v1/enrollments/{id}/grade {score}` (a percentage 0–100) and
 * `POST /api/v1/enrollments/{id}/grade/compute` (from the weighted assessments). The course's
 * instructor, staff and admin; another course's instructor → 403; a student → 403.
 */
import { Type } from '@portico/kit';
import { computeGrade, recordGrade } from '../commands/record-grade.ts';
import { viewerOf } from '../commands/viewer.ts';
import type { RouteModule } from '../deps.ts';
import { enrollmentView } from '../views.ts';
import { IdParams } from './common.ts';
import { EnrollmentSchema } from './enrollments.ts';

const tags = ['grades'];
const GradeBody = Type.Object({
  score: Type.Number({ minimum: 0, maximum: 100, description: 'Percentage 0–100' }),
});

export const gradeRoutes: RouteModule = (app, deps) => {
  app.put(
    '/api/v1/enrollments/:id/grade',
    {
      config: { permission: 'grades:write', ifMatch: 'required' },
      schema: {
        tags,
        summary: 'Record the final grade from a percentage; publishes grade.recorded',
        params: IdParams,
        body: GradeBody,
        response: { 200: EnrollmentSchema },
      },
    },
    async (req) => {
      const viewer = await viewerOf(deps.db, req.caller);
      const actor = { caller: req.caller };
      const { enrollment, course } = await recordGrade(deps, actor, viewer, req.params.id, req.body.score);
      return enrollmentView(enrollment, course);
    },
  );

  app.post(
    '/api/v1/enrollments/:id/grade/compute',
    {
      config: { permission: 'grades:write' },
      schema: {
        tags,
        summary:
          'Record the final grade as Σ(pct × weight) / Σweight over the assessments with a submission; publishes grade.recorded',
        params: IdParams,
        response: { 200: EnrollmentSchema },
      },
    },
    async (req) => {
      const viewer = await viewerOf(deps.db, req.caller);
      const actor = { caller: req.caller };
      const { enrollment, course } = await computeGrade(deps, actor, viewer, req.params.id);
      return enrollmentView(enrollment, course);
    },
  );
};
