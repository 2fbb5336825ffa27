/**
 * `/api/v1/courses/{id}/resources` `{title, type, url}`: learning material attached to a course.
 * URLs must be `https` (422 naming `url`). Managers and the course's instructor add; whoever may
 * see the course reads.
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { RouteModule } from '../deps.ts';
import { teachesOrManages } from '../domain/access.ts';
import { isHttpsUrl, RESOURCE_TYPES } from '../domain/resource.ts';
import { resourceView } from '../views.ts';
import { IdParams, Text, Timestamp } from './common.ts';
import { visibleCourse } from './courses.ts';

const tags = ['resources'];

const ResourceSchema = Type.Object({
  id: Type.String(),
  course_id: Type.String(),
  title: Type.String(),
  type: Type.Enum(RESOURCE_TYPES),
  url: Type.String(),
  created_at: Timestamp,
});
const CreateResourceBody = Type.Object({
  title: Text(200),
  type: Type.Enum(RESOURCE_TYPES),
  url: Type.String({ format: 'uri', maxLength: 2048, description: 'An https URL' }),
});

export const resourceRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/courses/:id/resources',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'Attach a learning resource (an https URL) to a course',
        params: IdParams,
        body: CreateResourceBody,
        response: { 201: ResourceSchema },
      },
    },
    async (req, reply) => {
      const { course, viewer } = await visibleCourse(deps, req.caller, req.params.id);
      if (!teachesOrManages(viewer, course))
        throw new AppError('forbidden', 'Only the course’s instructor, staff or an admin may add resources');
      if (!isHttpsUrl(req.body.url))
        throw AppError.validation([
          { field: 'url', code: 'https_required', message: 'must be an https URL' },
        ]);
      const row = await deps.db
        .insertInto('resources')
        .values({ id: uuidv7(), course_id: course.id, ...req.body })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply
        .code(201)
        .header('location', `/api/v1/courses/${course.id}/resources`)
        .send(resourceView(row));
    },
  );

  app.get(
    '/api/v1/courses/:id/resources',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'A course’s resources (oldest first)',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(ResourceSchema) },
      },
    },
    async (req, reply) => {
      const { course } = await visibleCourse(deps, req.caller, req.params.id);
      const q = deps.db.selectFrom('resources').selectAll().where('course_id', '=', course.id);
      return listPage(reply, q, { sort: 'created_at', direction: 'asc' }, resourceView);
    },
  );
};
