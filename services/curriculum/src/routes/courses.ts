/**
 * `/api/v1/courses`: admin and staff create, change, publish and archive; every signed-in caller
 * reads published courses (managers and a course's instructor also see its draft).
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { changeCourse, createCourse, moveCourse } from '../commands/course-commands.ts';
import { viewerOf } from '../commands/viewer.ts';
import type { Deps, RouteModule } from '../deps.ts';
import { seesCourse } from '../domain/access.ts';
import { COURSE_STATUSES } from '../domain/course-lifecycle.ts';
import { FRAMEWORKS, GRADING_SCALES } from '../domain/grading.ts';
import { coursesQuery, findCourse } from '../repository/courses.ts';
import { courseView } from '../views.ts';
import { Code, Id, IdParams, Nullable, Text, Timestamp } from './common.ts';
import type { Caller } from '@portico/kit';

const tags = ['courses'];
const Framework = Type.Enum(FRAMEWORKS);
const Scale = Type.Enum(GRADING_SCALES, {
  description: 'Default by framework: generic → letter, cbc → cbc, british → british',
});

export const CourseSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  credits: Type.Integer(),
  capacity: Type.Integer(),
  enrolled: Type.Integer(),
  seats_available: Type.Integer(),
  framework: Framework,
  grading_scale: Scale,
  instructor_id: Nullable(Type.String()),
  term: Nullable(Type.String()),
  subject_id: Nullable(Type.String()),
  competency_ids: Type.Array(Type.String()),
  self_enrollment: Type.Boolean(),
  status: Type.Enum(COURSE_STATUSES),
  published_at: Nullable(Timestamp),
  archived_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({
    self: Type.String(),
    enrollments: Type.String(),
    assessments: Type.String(),
    resources: Type.String(),
  }),
});

const editable = {
  title: Text(200),
  description: Nullable(Type.String({ maxLength: 10_000 })),
  credits: Type.Integer({ minimum: 0, maximum: 100 }),
  capacity: Type.Integer({ minimum: 1, maximum: 100_000 }),
  grading_scale: Scale,
  instructor_id: Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'An active staff id' })),
  term: Nullable(Type.String({ minLength: 1, maxLength: 40 })),
  subject_id: Nullable(
    Type.String({ minLength: 1, maxLength: 64, description: 'British courses: required' }),
  ),
  competency_ids: Type.Array(Id, { maxItems: 100, description: 'CBC courses: ≥ 1 to publish' }),
  self_enrollment: Type.Boolean({ description: 'Students may enrol themselves (default false)' }),
};

const CreateCourseBody = Type.Object({
  code: Code,
  framework: Framework,
  title: editable.title,
  credits: editable.credits,
  capacity: editable.capacity,
  description: Type.Optional(editable.description),
  grading_scale: Type.Optional(editable.grading_scale),
  instructor_id: Type.Optional(editable.instructor_id),
  term: Type.Optional(editable.term),
  subject_id: Type.Optional(editable.subject_id),
  competency_ids: Type.Optional(editable.competency_ids),
  self_enrollment: Type.Optional(editable.self_enrollment),
});

const UpdateCourseBody = Type.Object(
  {
    title: Type.Optional(editable.title),
    description: Type.Optional(editable.description),
    credits: Type.Optional(editable.credits),
    capacity: Type.Optional(editable.capacity),
    grading_scale: Type.Optional(editable.grading_scale),
    instructor_id: Type.Optional(editable.instructor_id),
    term: Type.Optional(editable.term),
    subject_id: Type.Optional(editable.subject_id),
    competency_ids: Type.Optional(editable.competency_ids),
    self_enrollment: Type.Optional(editable.self_enrollment),
  },
  { minProperties: 1 },
);

const CourseListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Enum(COURSE_STATUSES)),
  framework: Type.Optional(Framework),
  instructor_id: Type.Optional(Id),
  subject_id: Type.Optional(Id),
});

/** A course the caller may see, or 404 (drafts are invisible to students and users). */
export async function visibleCourse(deps: Deps, caller: Caller, id: string) {
  const course = await findCourse(deps.db, id);
  if (!course) throw AppError.notFound('Course');
  const viewer = await viewerOf(deps.db, caller);
  if (!seesCourse(viewer, course)) throw AppError.notFound('Course');
  return { course, viewer };
}

export const courseRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/courses',
    {
      config: { permission: 'courses:create' },
      schema: {
        tags,
        summary: 'Create a course (draft)',
        body: CreateCourseBody,
        response: { 201: CourseSchema },
      },
    },
    async (req, reply) => {
      const row = await createCourse(deps, req.body);
      return reply.code(201).header('location', `/api/v1/courses/${row.id}`).send(courseView(row));
    },
  );

  app.get(
    '/api/v1/courses',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'List courses (newest first); students and users see published ones',
        querystring: CourseListQuery,
        response: { 200: PageOf(CourseSchema) },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(deps.db, req.caller);
      const q = coursesQuery(deps.db, {
        ...req.query,
        visibleTo: viewer.manager ? undefined : { staffIds: viewer.staffIds },
      });
      return listPage(reply, q, { sort: 'created_at', direction: 'desc' }, courseView);
    },
  );

  app.get(
    '/api/v1/courses/:id',
    {
      config: { permission: 'courses:read' },
      schema: { tags, summary: 'Read a course', params: IdParams, response: { 200: CourseSchema } },
    },
    async (req) => courseView((await visibleCourse(deps, req.caller, req.params.id)).course),
  );

  app.patch(
    '/api/v1/courses/:id',
    {
      config: { permission: 'courses:update' },
      schema: {
        tags,
        summary: 'Change a course (not its code or framework); capacity never below the enrolled count',
        params: IdParams,
        body: UpdateCourseBody,
        response: { 200: CourseSchema },
      },
    },
    async (req) => courseView(await changeCourse(deps, req.params.id, req.body)),
  );

  for (const action of ['publish', 'archive'] as const) {
    app.post(
      `/api/v1/courses/:id/${action}`,
      {
        config: { permission: 'courses:update' },
        schema: {
          tags,
          summary:
            action === 'publish'
              ? 'Publish a draft (CBC: ≥ 1 competency; British: a subject); publishes course.published'
              : 'Archive a published course (no new enrolments)',
          params: IdParams,
          response: { 200: CourseSchema },
        },
      },
      async (req) => courseView(await moveCourse(deps, req.params.id, action)),
    );
  }
};
