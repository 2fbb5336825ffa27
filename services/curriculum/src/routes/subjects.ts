/**
 * British curriculum: `/api/v1/subjects` `{code (unique), name, level, exam_board?}`, their
 * ordered topics `/api/v1/subjects/{id}/topics` and each topic's ordered subtopics
 * `/api/v1/topics/{id}/subtopics`, both `{title, order?, objectives: string[]}`. Admin and staff
 * write; every signed-in caller reads. (They use the courses grants: no `subjects:*` grant exists.)
 */
import { AppError, listPage, PageOf, PageQuery, Type } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { RouteModule } from '../deps.ts';
import { BRITISH_LEVELS } from '../domain/british.ts';
import { jsonb } from '@portico/kit';
import { findSubject, findTopic, insertRow, nextPosition } from '../repository/catalogue.ts';
import { subjectView, subtopicView, topicView } from '../views.ts';
import { Code, IdParams, Nullable, Text, Timestamp } from './common.ts';

const tags = ['subjects'];

const SubjectSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  level: Type.Enum(BRITISH_LEVELS),
  exam_board: Nullable(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), topics: Type.String() }),
});
const CreateSubjectBody = Type.Object({
  code: Code,
  name: Text(200),
  level: Type.Enum(BRITISH_LEVELS),
  exam_board: Type.Optional(
    Nullable(Type.String({ minLength: 1, maxLength: 60, examples: ['Cambridge', 'Edexcel'] })),
  ),
});

const Objectives = Type.Array(Text(1000), { maxItems: 100, description: 'Learning objectives, in order' });
const Order = Type.Integer({
  minimum: 1,
  maximum: 10_000,
  description: 'Position in the list; default: after the last',
});
const CreatePartBody = Type.Object({
  title: Text(200),
  order: Type.Optional(Order),
  objectives: Type.Optional(Objectives),
});

const TopicSchema = Type.Object({
  id: Type.String(),
  subject_id: Type.String(),
  title: Type.String(),
  order: Type.Integer(),
  objectives: Type.Array(Type.String()),
  created_at: Timestamp,
  links: Type.Object({ subtopics: Type.String() }),
});
const SubtopicSchema = Type.Object({
  id: Type.String(),
  topic_id: Type.String(),
  title: Type.String(),
  order: Type.Integer(),
  objectives: Type.Array(Type.String()),
  created_at: Timestamp,
});

const Ordered = Type.Object(PageQuery);

export const subjectRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/subjects',
    {
      config: { permission: 'courses:create' },
      schema: {
        tags,
        summary: 'Create a subject',
        body: CreateSubjectBody,
        response: { 201: SubjectSchema },
      },
    },
    async (req, reply) => {
      const row = await insertRow(deps.db, 'subjects', {
        id: uuidv7(),
        code: req.body.code,
        name: req.body.name,
        level: req.body.level,
        exam_board: req.body.exam_board ?? null,
      });
      return reply.code(201).header('location', `/api/v1/subjects/${row.id}`).send(subjectView(row));
    },
  );

  app.get(
    '/api/v1/subjects',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'List subjects (by code)',
        querystring: Type.Object({ ...PageQuery, level: Type.Optional(Type.Enum(BRITISH_LEVELS)) }),
        response: { 200: PageOf(SubjectSchema) },
      },
    },
    async (req, reply) => {
      let q = deps.db.selectFrom('subjects').selectAll();
      if (req.query.level) q = q.where('level', '=', req.query.level);
      return listPage(reply, q, { sort: 'code', direction: 'asc' }, subjectView);
    },
  );

  app.get(
    '/api/v1/subjects/:id',
    {
      config: { permission: 'courses:read' },
      schema: { tags, summary: 'Read a subject', params: IdParams, response: { 200: SubjectSchema } },
    },
    async (req) => {
      const row = await findSubject(deps.db, req.params.id);
      if (!row) throw AppError.notFound('Subject');
      return subjectView(row);
    },
  );

  app.post(
    '/api/v1/subjects/:id/topics',
    {
      config: { permission: 'courses:create' },
      schema: {
        tags,
        summary: 'Add a topic to a subject',
        params: IdParams,
        body: CreatePartBody,
        response: { 201: TopicSchema },
      },
    },
    async (req, reply) => {
      const subject = await findSubject(deps.db, req.params.id);
      if (!subject) throw AppError.notFound('Subject');
      const row = await insertRow(deps.db, 'topics', {
        id: uuidv7(),
        subject_id: subject.id,
        title: req.body.title,
        position: req.body.order ?? (await nextPosition(deps.db, 'topics', 'subject_id', subject.id)),
        objectives: jsonb(req.body.objectives ?? []),
      });
      return reply.code(201).header('location', `/api/v1/topics/${row.id}/subtopics`).send(topicView(row));
    },
  );

  app.get(
    '/api/v1/subjects/:id/topics',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'A subject’s topics, in order',
        params: IdParams,
        querystring: Ordered,
        response: { 200: PageOf(TopicSchema) },
      },
    },
    async (req, reply) => {
      const subject = await findSubject(deps.db, req.params.id);
      if (!subject) throw AppError.notFound('Subject');
      const q = deps.db.selectFrom('topics').selectAll().where('subject_id', '=', subject.id);
      return listPage(reply, q, { sort: 'position', direction: 'asc' }, topicView);
    },
  );

  app.post(
    '/api/v1/topics/:id/subtopics',
    {
      config: { permission: 'courses:create' },
      schema: {
        tags,
        summary: 'Add a subtopic to a topic',
        params: IdParams,
        body: CreatePartBody,
        response: { 201: SubtopicSchema },
      },
    },
    async (req, reply) => {
      const topic = await findTopic(deps.db, req.params.id);
      if (!topic) throw AppError.notFound('Topic');
      const row = await insertRow(deps.db, 'subtopics', {
        id: uuidv7(),
        topic_id: topic.id,
        title: req.body.title,
        position: req.body.order ?? (await nextPosition(deps.db, 'subtopics', 'topic_id', topic.id)),
        objectives: jsonb(req.body.objectives ?? []),
      });
      return reply
        .code(201)
        .header('location', `/api/v1/topics/${topic.id}/subtopics`)
        .send(subtopicView(row));
    },
  );

  app.get(
    '/api/v1/topics/:id/subtopics',
    {
      config: { permission: 'courses:read' },
      schema: {
        tags,
        summary: 'A topic’s subtopics, in order',
        params: IdParams,
        querystring: Ordered,
        response: { 200: PageOf(SubtopicSchema) },
      },
    },
    async (req, reply) => {
      const topic = await findTopic(deps.db, req.params.id);
      if (!topic) throw AppError.notFound('Topic');
      const q = deps.db.selectFrom('subtopics').selectAll().where('topic_id', '=', topic.id);
      return listPage(reply, q, { sort: 'position', direction: 'asc' }, subtopicView);
    },
  );
};
