/**
 * `/api/v1/tasks`: create, list (filters, sort, keyset pages), read, change, delete. A task is
 * visible to its creator and its assignee (admins: all); anyone else gets 404.
 */
import { mapPage, PageOf, PageQuery, scopeOf, sendPage, Type, type ServiceApp } from '@portico/kit';
import type { Actor } from '../commands/actor.ts';
import { createTask } from '../commands/create-task.ts';
import { removeTask } from '../commands/delete-task.ts';
import { loadTaskFor } from '../commands/task-access.ts';
import { changeTask } from '../commands/update-task.ts';
import type { Deps } from '../deps.ts';
import { PRIORITIES } from '../domain/priority.ts';
import { DEFAULT_TASK_SORT, TASK_SORTS } from '../domain/task-sort.ts';
import { TASK_STATUSES } from '../domain/task-state.ts';
import { listTasks } from '../repository/tasks.ts';
import { publicTask } from '../views.ts';
import { IdParams, Nullable, Timestamp } from './common.ts';

const tags = ['tasks'];

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Nullable(Type.String({ maxLength: 10_000 }));
const Priority = Type.Enum(PRIORITIES, { description: 'low < medium < high < urgent' });
const Status = Type.Enum(TASK_STATUSES);
const UserId = Type.String({ minLength: 1, maxLength: 128, pattern: '\\S' });
const AssigneeId = Nullable(
  Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '\\S',
    description: 'A user id. Not checked against identity (tasks holds no user directory).',
  }),
);

export const TaskSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  status: Status,
  priority: Priority,
  category_id: Nullable(Type.String()),
  due_at: Nullable(Timestamp),
  overdue: Type.Boolean({ description: 'Open (pending or in progress) and past its due date' }),
  assignee_id: Nullable(Type.String()),
  created_by: Type.String(),
  completed_at: Nullable(Timestamp),
  cancelled_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String() }),
});

const CreateTaskBody = Type.Object({
  title: Title,
  description: Type.Optional(Description),
  priority: Type.Optional(Priority),
  category_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  due_at: Type.Optional(Nullable(Timestamp)),
  assignee_id: Type.Optional(AssigneeId),
});

const UpdateTaskBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    priority: Type.Optional(Priority),
    category_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    due_at: Type.Optional(Nullable(Timestamp)),
    assignee_id: Type.Optional(AssigneeId),
    status: Type.Optional(Status),
  },
  { minProperties: 1 },
);

const TaskListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Status),
  priority: Type.Optional(Priority),
  category_id: Type.Optional(Type.String({ minLength: 1 })),
  assignee_id: Type.Optional(UserId),
  created_by: Type.Optional(UserId),
  due_before: Type.Optional(
    Type.String({ format: 'date-time', description: 'Tasks due strictly before this time' }),
  ),
  overdue: Type.Optional(Type.Boolean({ description: 'true: open and past due; false: everything else' })),
  sort: Type.Optional(
    Type.Enum(TASK_SORTS, { default: '-created_at', description: '`-field` sorts descending' }),
  ),
});

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
