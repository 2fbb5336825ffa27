/**
 * CBC reference data: `/api/v1/competencies` (code unique; the 8 learning areas and 7 core
 * competencies/pillars of the Kenyan CBC), `/api/v1/competencies/{id}/outcomes` (ordered
 * learning outcomes) and `/api/v1/generic-skills`. Admin and staff write; every signed-in
 * caller reads. (Generic skills use the competencies grants: no `generic-skills:*` grant exists.)
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { RouteModule } from '../deps.ts';
import { LEARNING_AREAS, PILLARS } from '../domain/cbc.ts';
import { jsonb } from '@portico/kit';
import { findCompetency, insertRow, nextPosition } from '../repository/catalogue.ts';
import { competencyView, genericSkillView, outcomeView } from '../views.ts';
import { Code, IdParams, Nullable, Text, Timestamp } from './common.ts';

const tags = ['competencies'];

const CompetencySchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  title: Type.String(),
  learning_area: Type.Enum(LEARNING_AREAS),
  pillar: Nullable(Type.Enum(PILLARS)),
  core: Type.Boolean(),
  proficiency_levels: Nullable(Type.Array(Type.String())),
  description: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), outcomes: Type.String() }),
});

const CreateCompetencyBody = Type.Object({
  code: Code,
  title: Text(200),
  learning_area: Type.Enum(LEARNING_AREAS, { description: 'One of the 8 CBC learning areas' }),
  pillar: Type.Optional(Nullable(Type.Enum(PILLARS, { description: 'One of the 7 CBC core competencies' }))),
  core: Type.Optional(Type.Boolean()),
  proficiency_levels: Type.Optional(
    Type.Array(Text(500), {
      minItems: 4,
      maxItems: 4,
      description: 'Descriptors of proficiency levels 1–4, in order',
    }),
  ),
  description: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
});

const OutcomeSchema = Type.Object({
  id: Type.String(),
  competency_id: Type.String(),
  description: Type.String(),
  order: Type.Integer(),
  created_at: Timestamp,
});
const CreateOutcomeBody = Type.Object({
  description: Text(2000),
  order: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Default: after the last' })),
});

const SkillSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  created_at: Timestamp,
});
const CreateSkillBody = Type.Object({ name: Text(120), description: Text(2000) });

const ListQuery = Type.Object({
  ...PageQuery,
  learning_area: Type.Optional(Type.Enum(LEARNING_AREAS)),
  pillar: Type.Optional(Type.Enum(PILLARS)),
});

export const competencyRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/competencies',
    {
      config: { permission: 'competencies:create' },
      schema: {
        tags,
        summary: 'Create a competency',
        body: CreateCompetencyBody,
        response: { 201: CompetencySchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const row = await insertRow(deps.db, 'competencies', {
        id: uuidv7(),
        code: b.code,
        title: b.title,
        learning_area: b.learning_area,
        pillar: b.pillar ?? null,
        core: b.core ?? false,
        proficiency_levels: b.proficiency_levels ? jsonb(b.proficiency_levels) : null,
        description: b.description ?? null,
      });
      return reply.code(201).header('location', `/api/v1/competencies/${row.id}`).send(competencyView(row));
    },
  );

  app.get(
    '/api/v1/competencies',
    {
      config: { permission: 'competencies:read' },
      schema: {
        tags,
        summary: 'List competencies (by code)',
        querystring: ListQuery,
        response: { 200: PageOf(CompetencySchema) },
      },
    },
    async (req, reply) => {
      let q = deps.db.selectFrom('competencies').selectAll();
      if (req.query.learning_area) q = q.where('learning_area', '=', req.query.learning_area);
      if (req.query.pillar) q = q.where('pillar', '=', req.query.pillar);
      return listPage(reply, q, { sort: 'code', direction: 'asc' }, competencyView);
    },
  );

  app.get(
    '/api/v1/competencies/:id',
    {
      config: { permission: 'competencies:read' },
      schema: { tags, summary: 'Read a competency', params: IdParams, response: { 200: CompetencySchema } },
    },
    async (req) => {
      const row = await findCompetency(deps.db, req.params.id);
      if (!row) throw AppError.notFound('Competency');
      return competencyView(row);
    },
  );

  app.post(
    '/api/v1/competencies/:id/outcomes',
    {
      config: { permission: 'competencies:create' },
      schema: {
        tags,
        summary: 'Add a learning outcome to a competency',
        params: IdParams,
        body: CreateOutcomeBody,
        response: { 201: OutcomeSchema },
      },
    },
    async (req, reply) => {
      const comp = await findCompetency(deps.db, req.params.id);
      if (!comp) throw AppError.notFound('Competency');
      const row = await insertRow(deps.db, 'learning_outcomes', {
        id: uuidv7(),
        competency_id: comp.id,
        description: req.body.description,
        position:
          req.body.order ?? (await nextPosition(deps.db, 'learning_outcomes', 'competency_id', comp.id)),
      });
      return reply
        .code(201)
        .header('location', `/api/v1/competencies/${comp.id}/outcomes`)
        .send(outcomeView(row));
    },
  );

  app.get(
    '/api/v1/competencies/:id/outcomes',
    {
      config: { permission: 'competencies:read' },
      schema: {
        tags,
        summary: 'A competency’s learning outcomes, in order',
        params: IdParams,
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(OutcomeSchema) },
      },
    },
    async (req, reply) => {
      const comp = await findCompetency(deps.db, req.params.id);
      if (!comp) throw AppError.notFound('Competency');
      const q = deps.db.selectFrom('learning_outcomes').selectAll().where('competency_id', '=', comp.id);
      return listPage(reply, q, { sort: 'position', direction: 'asc' }, outcomeView);
    },
  );

  app.post(
    '/api/v1/generic-skills',
    {
      config: { permission: 'competencies:create' },
      schema: {
        tags: ['generic-skills'],
        summary: 'Create a generic skill',
        body: CreateSkillBody,
        response: { 201: SkillSchema },
      },
    },
    async (req, reply) => {
      const row = await insertRow(deps.db, 'generic_skills', { id: uuidv7(), ...req.body }, 'name');
      return reply
        .code(201)
        .header('location', `/api/v1/generic-skills/${row.id}`)
        .send(genericSkillView(row));
    },
  );

  app.get(
    '/api/v1/generic-skills',
    {
      config: { permission: 'competencies:read' },
      schema: {
        tags: ['generic-skills'],
        summary: 'List generic skills (by name)',
        querystring: Type.Object(PageQuery),
        response: { 200: PageOf(SkillSchema) },
      },
    },
    async (_req, reply) =>
      listPage(
        reply,
        deps.db.selectFrom('generic_skills').selectAll(),
        { sort: 'name', direction: 'asc' },
        genericSkillView,
      ),
  );
};
