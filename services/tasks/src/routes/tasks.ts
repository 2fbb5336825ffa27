/**
 * `/api/v1/tasks`: create, list (filters, sort, keyset pages), read, change, delete. A task is
 * visible to its creator and its assignee (admins: all); anyone else gets 404.
 */
import { mapPage, PageOf, scopeOf, sendPage, Type, type ServiceApp } from '@portico/kit';
import type { Deps } from '../events.ts';
import { DEFAULT_TASK_SORT } from '../domain/task-sort.ts';
import { publicTask } from '../presenters.ts';
import { CreateTaskBody, IdParams, TaskListQuery, TaskSchema, UpdateTaskBody } from '../schemas.ts';
import { changeTask, createTask, loadTaskFor, removeTask, type Actor } from '../task-commands.ts';
import { listTasks } from '../task-repository.ts';

const tags = ['tasks'];

export function taskRoutes(app: ServiceApp, deps: Deps): void {
  const actor = (req: { caller: Actor['caller'] }): Actor => ({ caller: req.caller });

  app.post(
    '/api/v1/tasks',
    {
      config: { permission: 'tasks:create' },
      schema: {
        tags,
        summary: 'Create a task (status pending)',
        description:
          '`category_id` must be one of your own categories (422 otherwise). `assignee_id` is your own id, or (with `tasks:assign`: staff, instructors, admins) anyone’s; it is not checked against identity.',
        body: CreateTaskBody,
        response: { 201: TaskSchema },
      },
    },
    async (req, reply) => {
      const row = await createTask(deps, actor(req), req.body);
      return reply.code(201).header('location', `/api/v1/tasks/${row.id}`).send(publicTask(row, new Date()));
    },
  );

  app.get(
    '/api/v1/tasks',
    {
      config: { permission: 'tasks:read' },
      schema: {
        tags,
        summary: 'List the tasks you created or are assigned (admins: all)',
        querystring: TaskListQuery,
        response: { 200: PageOf(TaskSchema) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const now = new Date();
      const page = await listTasks(deps.db, {
        viewer: { id: req.caller.id, all: scopeOf(req.caller, 'tasks:read') === 'all' },
        filters: {
          status: q.status,
          priority: q.priority,
          category_id: q.category_id,
          assignee_id: q.assignee_id,
          created_by: q.created_by,
          due_before: q.due_before === undefined ? undefined : new Date(q.due_before),
          overdue: q.overdue,
        },
        sort: q.sort ?? DEFAULT_TASK_SORT,
        limit: q.limit,
        cursor: q.cursor,
        now,
      });
      return sendPage(
        reply,
        mapPage(page, (row) => publicTask(row, now)),
      );
    },
  );

  app.get(
    '/api/v1/tasks/:id',
    {
      config: { permission: 'tasks:read' },
      schema: { tags, summary: 'Read a task', params: IdParams, response: { 200: TaskSchema } },
    },
    async (req) => publicTask(await loadTaskFor(deps.db, req.caller, req.params.id, 'read'), new Date()),
  );

  app.patch(
    '/api/v1/tasks/:id',
    {
      config: { permission: 'tasks:update' },
      schema: {
        tags,
        summary: 'Change a task',
        description:
          'The creator (or an admin) may change any field; the assignee may send only `status` (403 otherwise). ' +
          'A `status` change follows the state machine (409 `invalid_state` otherwise).',
        params: IdParams,
        body: UpdateTaskBody,
        response: { 200: TaskSchema },
      },
    },
    async (req) => publicTask(await changeTask(deps, actor(req), req.params.id, req.body), new Date()),
  );

  app.delete(
    '/api/v1/tasks/:id',
    {
      config: { permission: 'tasks:delete' },
      schema: {
        tags,
        summary: 'Delete a task (creator or admin)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await removeTask(deps, actor(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
