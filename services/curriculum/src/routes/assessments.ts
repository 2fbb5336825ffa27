/**
 * `GET/POST /api/v1/courses/{id}/assessments` `{title, kind, max_score > 0, weight > 0}`,
 * `GET /api/v1/assessments/{id}`, and submissions: `POST /api/v1/assessments/{id}/submissions`
 * `{student_id, score}` (201 first time, 200 when it updates the score) and
 * `GET …/submissions` (the course's instructor and managers: all; a student: their own).
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { actorId } from '../commands/actor.ts';
import { recordSubmission } from '../commands/record-submission.ts';
import { viewerOf } from '../commands/viewer.ts';
import type { RouteModule } from '../deps.ts';
import { seesCourse, teachesOrManages } from '../domain/access.ts';
import { assessmentsOf, findAssessment, insertAssessment, submissionsOf } from '../repository/assessments.ts';
import { findCourse } from '../repository/courses.ts';
import { assessmentView, submissionView } from '../views.ts';
import { Id, IdParams, Text, Timestamp } from './common.ts';
import { visibleCourse } from './courses.ts';

const tags = ['assessments'];
const KINDS = ['formative', 'summative', 'diagnostic'] as const;

const AssessmentSchema = Type.Object({
  id: Type.String(),
  course_id: Type.String(),
  title: Type.String(),
  kind: Type.Enum(KINDS),
  max_score: Type.Number(),
  weight: Type.Number(),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), submissions: Type.String() }),
});

const SubmissionSchema = Type.Object({
  id: Type.String(),
  assessment_id: Type.String(),
  enrollment_id: Type.String(),
  student_id: Type.String(),
  score: Type.Number(),
  percentage: Type.Number(),
  recorded_by: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

const CreateAssessmentBody = Type.Object({
  title: Text(200),
  kind: Type.Enum(KINDS),
  max_score: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
  weight: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1_000_000,
    description: 'Relative weight in the final grade',
  }),
});

const SubmissionBody = Type.Object({
  student_id: Id,
  score: Type.Number({ minimum: 0, description: '0 ≤ score ≤ the assessment’s max_score' }),
});

export const assessmentRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/courses/:id/assessments',
    {
      config: { permission: 'grades:write' },
      schema: {
        tags,
        summary: 'Add an assessment to a course (its instructor, staff, admin)',
        params: IdParams,
        body: CreateAssessmentBody,
        response: { 201: AssessmentSchema },
      },
    },
    async (req, reply) => {
      const { course, viewer } = await visibleCourse(deps, req.caller, req.params.id);
      if (!teachesOrManages(viewer, course))
        throw new AppError(
          'forbidden',
          'Only the course’s instructor, staff or an admin may add assessments',
        );
      const row = await insertAssessment(deps.db, { id: uuidv7(), course_id: course.id, ...req.body });
      return reply.code(201).header('location', `/api/v1/assessments/${row.id}`).send(assessmentView(row));
    },
  );

  app.get(
    '/api/v1/courses/:id/assessments',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'A course’s assessments (oldest first)',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(AssessmentSchema) },
      },
    },
    async (req, reply) => {
      const { course } = await visibleCourse(deps, req.caller, req.params.id);
      return listPage(
        reply,
        assessmentsOf(deps.db, course.id),
        { sort: 'created_at', direction: 'asc' },
        assessmentView,
      );
    },
  );

  app.get(
    '/api/v1/assessments/:id',
    {
      config: { permission: 'courses:read' },
      schema: { tags, summary: 'Read an assessment', params: IdParams, response: { 200: AssessmentSchema } },
    },
    async (req) => {
      const row = await findAssessment(deps.db, req.params.id);
      if (!row) throw AppError.notFound('Assessment');
      await visibleCourse(deps, req.caller, row.course_id).catch(() => {
        throw AppError.notFound('Assessment');
      });
      return assessmentView(row);
    },
  );

  app.post(
    '/api/v1/assessments/:id/submissions',
    {
      config: { permission: 'grades:write' },
      schema: {
        tags,
        summary: 'Record a student’s score (one per student; again updates it)',
        params: IdParams,
        body: SubmissionBody,
        response: { 200: SubmissionSchema, 201: SubmissionSchema },
      },
    },
    async (req, reply) => {
      actorId(req.caller);
      const viewer = await viewerOf(deps.db, req.caller);
      const actor = { caller: req.caller };
      const { row, created } = await recordSubmission(deps, actor, viewer, req.params.id, req.body);
      return reply.code(created ? 201 : 200).send(submissionView(row));
    },
  );

  app.get(
    '/api/v1/assessments/:id/submissions',
    {
      config: { permission: 'enrollments:read' },
      schema: {
        tags,
        summary: 'Submissions of an assessment (instructor and staff: all; a student: their own)',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(SubmissionSchema) },
      },
    },
    async (req, reply) => {
      const assessment = await findAssessment(deps.db, req.params.id);
      if (!assessment) throw AppError.notFound('Assessment');
      const course = (await findCourse(deps.db, assessment.course_id))!;
      const viewer = await viewerOf(deps.db, req.caller);
      if (!seesCourse(viewer, course)) throw AppError.notFound('Assessment');
      const own = teachesOrManages(viewer, course) ? undefined : viewer.studentIds;
      if (own !== undefined && viewer.staffIds.length > 0 && own.length === 0)
        throw new AppError('forbidden', 'Only the course’s instructor sees its submissions');
      return listPage(
        reply,
        submissionsOf(deps.db, assessment.id, own),
        { sort: 'created_at', direction: 'asc' },
        submissionView,
      );
    },
  );
};
