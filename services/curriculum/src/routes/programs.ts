/**
 * `/api/v1/programs` `{name, framework, level, academic_year, course_ids}`: an ordered list of
 * existing courses (an unknown one → 422 naming `course_ids[i]`). Admin and staff.
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { RouteModule } from '../deps.ts';
import { FRAMEWORKS } from '../domain/grading.ts';
import { existingCourseIds } from '../repository/courses.ts';
import { jsonb } from '@portico/kit';
import { programView } from '../views.ts';
import { Id, IdParams, Text, Timestamp } from './common.ts';

const tags = ['programs'];

const ProgramSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  framework: Type.Enum(FRAMEWORKS),
  level: Type.String(),
  academic_year: Type.String(),
  course_ids: Type.Array(Type.String()),
  created_at: Timestamp,
  links: Type.Object({ self: Type.String() }),
});

const CreateProgramBody = Type.Object({
  name: Text(200),
  framework: Type.Enum(FRAMEWORKS),
  level: Type.String({
    minLength: 1,
    maxLength: 40,
    pattern: '\\S',
    description: 'A CBC level (e.g. grade_7) or a British one (e.g. igcse, a_level)',
  }),
  academic_year: Type.String({ pattern: '^\\d{4}(/\\d{4})?$', examples: ['2026', '2026/2027'] }),
  course_ids: Type.Array(Id, { maxItems: 200, description: 'Existing course ids, in order' }),
});

export const programRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/programs',
    {
      config: { permission: 'programs:create' },
      schema: {
        tags,
        summary: 'Create a programme',
        body: CreateProgramBody,
        response: { 201: ProgramSchema },
      },
    },
    async (req, reply) => {
      const ids = req.body.course_ids;
      const known = await existingCourseIds(deps.db, ids);
      const errors = ids.flatMap((id, i) => [
        ...(known.has(id)
          ? []
          : [{ field: `course_ids[${i}]`, code: 'not_found', message: `no course ${id}` }]),
        ...(ids.indexOf(id) !== i
          ? [{ field: `course_ids[${i}]`, code: 'duplicate', message: `${id} is listed twice` }]
          : []),
      ]);
      if (errors.length > 0) throw AppError.validation(errors);
      const row = await deps.db
        .insertInto('programs')
        .values({ id: uuidv7(), ...req.body, course_ids: jsonb(ids) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).header('location', `/api/v1/programs/${row.id}`).send(programView(row));
    },
  );

  app.get(
    '/api/v1/programs',
    {
      config: { permission: 'programs:read' },
      schema: {
        tags,
        summary: 'List programmes (newest first)',
        querystring: Type.Object({ ...PageQuery, framework: Type.Optional(Type.Enum(FRAMEWORKS)) }),
        response: { 200: PageOf(ProgramSchema) },
      },
    },
    async (req, reply) => {
      let q = deps.db.selectFrom('programs').selectAll();
      if (req.query.framework) q = q.where('framework', '=', req.query.framework);
      return listPage(reply, q, { sort: 'created_at' }, programView);
    },
  );

  app.get(
    '/api/v1/programs/:id',
    {
      config: { permission: 'programs:read' },
      schema: { tags, summary: 'Read a programme', params: IdParams, response: { 200: ProgramSchema } },
    },
    async (req) => {
      const row = await deps.db
        .selectFrom('programs')
        .selectAll()
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!row) throw AppError.notFound('Program');
      return programView(row);
    },
  );
};
