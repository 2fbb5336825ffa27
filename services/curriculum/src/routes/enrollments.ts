/**
 * Enrolments: `POST /api/v1/enrollments` and `GET/POST /api/v1/students/{id}/enrollments`,
 * `GET /api/v1/enrollments` (`student_id`, `course_id`, `status`), `GET …/{id}` (with the grade),
 * `DELETE …/{id}` (drop). Admin and staff see and manage all; an instructor reads the rosters of
 * the courses they teach; a student sees and makes only their own (others' → 404 / empty).
 */
import { AppError, listPage, PageOf, PageQuery, Type, type Caller } from '@portico/kit';
import { dropEnrollment } from '../commands/drop-enrollment.ts';
import { enrollStudent } from '../commands/enroll-student.ts';
import { viewerOf } from '../commands/viewer.ts';
import type { Deps, RouteModule } from '../deps.ts';
import { isOwnStudent, seesEnrollment, type Viewer } from '../domain/access.ts';
import { GRADING_SCALES } from '../domain/grading.ts';
import { findCourse } from '../repository/courses.ts';
import { enrollmentsQuery, findEnrollment, type EnrollmentFilter } from '../repository/enrollments.ts';
import { enrollmentView } from '../views.ts';
import { Id, IdParams, Nullable, Timestamp } from './common.ts';

const tags = ['enrollments'];

export const EnrollmentSchema = Type.Object({
  id: Type.String(),
  student_id: Type.String(),
  course_id: Type.String(),
  status: Type.Enum(['active', 'dropped']),
  grade: Nullable(
    Type.Object({
      score: Type.Number({ description: 'Percentage 0–100' }),
      grade: Type.String({ description: 'On the course’s scale: A–F, E/M/A/B (CBC), A*–U (British)' }),
      label: Type.String(),
      grade_points: Type.Integer({ description: '4/3/2/1/0 from the 90/80/70/60 bands' }),
      scale: Nullable(Type.Enum(GRADING_SCALES)),
      credits: Nullable(Type.Integer()),
      graded_at: Nullable(Timestamp),
      graded_by: Nullable(Type.String()),
    }),
  ),
  dropped_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), course: Type.String() }),
});

const EnrollBody = Type.Object({ student_id: Id, course_id: Id });
const StudentEnrollBody = Type.Object({ course_id: Id });
const ListQuery = Type.Object({
  ...PageQuery,
  student_id: Type.Optional(Id),
  course_id: Type.Optional(Id),
  status: Type.Optional(Type.Enum(['active', 'dropped'])),
});
const StudentListQuery = Type.Object({
  ...PageQuery,
  course_id: Type.Optional(Id),
  status: Type.Optional(Type.Enum(['active', 'dropped'])),
});

/** What the caller's role narrows a list to: managers nothing, instructors their courses, students themselves. */
function scopeFor(viewer: Viewer): Pick<EnrollmentFilter, 'studentIds' | 'instructorIds'> {
  if (viewer.manager) return {};
  if (viewer.staffIds.length > 0 && viewer.studentIds.length === 0) return { instructorIds: viewer.staffIds };
  if (viewer.staffIds.length === 0) return { studentIds: viewer.studentIds };
  // Both a student and an instructor (rare): neither filter alone is right; own records only.
  return { studentIds: viewer.studentIds };
}

/** A readable enrolment, or 404. */
export async function visibleEnrollment(deps: Deps, caller: Caller, id: string) {
  const enrollment = await findEnrollment(deps.db, id);
  if (!enrollment) throw AppError.notFound('Enrollment');
  const course = (await findCourse(deps.db, enrollment.course_id))!;
  const viewer = await viewerOf(deps.db, caller);
  if (!seesEnrollment(viewer, enrollment, course)) throw AppError.notFound('Enrollment');
  return { enrollment, course, viewer };
}

export const enrollmentRoutes: RouteModule = (app, deps) => {
  const enrol = async (caller: Caller, studentId: string, courseId: string) => {
    const viewer = await viewerOf(deps.db, caller);
    const { enrollment, course } = await enrollStudent(deps, viewer, {
      student_id: studentId,
      course_id: courseId,
    });
    return enrollmentView(enrollment, course);
  };

  app.post(
    '/api/v1/enrollments',
    {
      config: { permission: 'enrollments:create' },
      schema: {
        tags,
        summary: 'Enrol a student (staff; a student enrols themselves where the course allows it)',
        body: EnrollBody,
        response: { 201: EnrollmentSchema },
      },
    },
    async (req, reply) => {
      const view = await enrol(req.caller, req.body.student_id, req.body.course_id);
      return reply.code(201).header('location', view.links.self).send(view);
    },
  );

  app.post(
    '/api/v1/students/:id/enrollments',
    {
      config: { permission: 'enrollments:create' },
      schema: {
        tags,
        summary: 'Enrol this student in a course',
        params: IdParams,
        body: StudentEnrollBody,
        response: { 201: EnrollmentSchema },
      },
    },
    async (req, reply) => {
      const view = await enrol(req.caller, req.params.id, req.body.course_id);
      return reply.code(201).header('location', view.links.self).send(view);
    },
  );

  app.get(
    '/api/v1/enrollments',
    {
      config: { permission: 'enrollments:read' },
      schema: {
        tags,
        summary: 'List enrolments (newest first), narrowed to what the caller may see',
        querystring: ListQuery,
        response: { 200: PageOf(EnrollmentSchema) },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(deps.db, req.caller);
      const q = enrollmentsQuery(deps.db, { ...req.query, ...scopeFor(viewer) });
      return listPage(
        reply,
        q,
        { sort: 'enrollments.created_at', id: 'enrollments.id', direction: 'desc' },
        (r) => enrollmentView(r, r),
      );
    },
  );

  app.get(
    '/api/v1/students/:id/enrollments',
    {
      config: { permission: 'enrollments:read' },
      schema: {
        tags,
        summary: 'One student’s enrolments (a student: only their own, others → 404)',
        params: IdParams,
        querystring: StudentListQuery,
        response: { 200: PageOf(EnrollmentSchema) },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(deps.db, req.caller);
      if (!viewer.manager && viewer.staffIds.length === 0 && !isOwnStudent(viewer, req.params.id))
        throw AppError.notFound('Student');
      const q = enrollmentsQuery(deps.db, { ...req.query, student_id: req.params.id, ...scopeFor(viewer) });
      return listPage(
        reply,
        q,
        { sort: 'enrollments.created_at', id: 'enrollments.id', direction: 'desc' },
        (r) => enrollmentView(r, r),
      );
    },
  );

  app.get(
    '/api/v1/enrollments/:id',
    {
      config: { permission: 'enrollments:read' },
      schema: {
        tags,
        summary: 'Read an enrolment and its grade',
        params: IdParams,
        response: { 200: EnrollmentSchema },
      },
    },
    async (req) => {
      const { enrollment, course } = await visibleEnrollment(deps, req.caller, req.params.id);
      return enrollmentView(enrollment, course);
    },
  );

  app.delete(
    '/api/v1/enrollments/:id',
    {
      config: { permission: 'enrollments:delete' },
      schema: {
        tags,
        summary: 'Drop an enrolment: status dropped, the seat freed, enrollment.dropped',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const viewer = await viewerOf(deps.db, req.caller);
      await dropEnrollment(deps, viewer, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
