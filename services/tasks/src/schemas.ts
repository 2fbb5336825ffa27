/**
 * Request and response schemas (TypeBox): one source for validation, types and OpenAPI.
 * Field names are snake_case and times RFC 3339 (docs/api-conventions.md).
 */
import { PageQuery, Type, type TSchema } from '@portico/kit';
import { PRIORITIES } from './domain/priority.ts';
import { TASK_STATUSES } from './domain/task-state.ts';
import { TASK_SORTS } from './domain/task-sort.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

// ── categories ────────────────────────────────────────────────────────────────────────────

const CategoryName = Type.String({
  minLength: 1,
  maxLength: 60,
  pattern: '\\S',
  description: 'Unique per user, ignoring case',
});
const Color = Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: '`#RRGGBB`', examples: ['#3366FF'] });

export const CategorySchema = Type.Object({
  id: Type.String(),
  owner_id: Type.String(),
  name: Type.String(),
  color: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  links: Type.Object({ self: Type.String(), tasks: Type.String() }),
});

export const CreateCategoryBody = Type.Object({ name: CategoryName, color: Color });
export const UpdateCategoryBody = Type.Object(
  { name: Type.Optional(CategoryName), color: Type.Optional(Color) },
  { minProperties: 1 },
);
export const CategoryListQuery = Type.Object({
  ...PageQuery,
  owner_id: Type.Optional(
    Type.String({ minLength: 1, description: 'Admins only: another user’s categories' }),
  ),
});

// ── tasks ─────────────────────────────────────────────────────────────────────────────────

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

export const CreateTaskBody = Type.Object({
  title: Title,
  description: Type.Optional(Description),
  priority: Type.Optional(Priority),
  category_id: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  due_at: Type.Optional(Nullable(Timestamp)),
  assignee_id: Type.Optional(AssigneeId),
});

export const UpdateTaskBody = Type.Object(
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

export const TaskListQuery = Type.Object({
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
