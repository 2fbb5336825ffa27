/**
 * What a caller can do to tasks, each in one transaction with its events (transactional
 * outbox): create, change fields, move through the state machine, delete. Routes call these;
 * the rules they apply live in domain/ (state machine, access) and stay pure.
 */
import { AppError, scopeOf, type Caller } from '@portico/kit';
import type { Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { DEFAULT_PRIORITY, type Priority } from './domain/priority.ts';
import { decideTaskAccess, type TaskOperation } from './domain/task-access.ts';
import { actionBetween, transition, type TaskAction, type TaskStatus } from './domain/task-state.ts';
import { findCategory } from './category-repository.ts';
import { taskEventData, type Deps, type TaskEvent, type TaskEventType } from './events.ts';
import { deleteTask, findTask, insertTask, updateTask, type TaskPatch } from './task-repository.ts';
import type { TaskRow, TasksDatabase } from './tables.ts';

type Trx = Transaction<TasksDatabase>;

export interface Actor {
  caller: Caller;
}

export interface CreateTaskInput {
  title: string;
  description?: string | null | undefined;
  priority?: Priority | undefined;
  category_id?: string | null | undefined;
  due_at?: string | null | undefined;
  assignee_id?: string | null | undefined;
}

export interface UpdateTaskInput extends Partial<CreateTaskInput> {
  status?: TaskStatus | undefined;
}

const PERMISSION: Record<TaskOperation, string> = {
  read: 'tasks:read',
  transition: 'tasks:update',
  edit: 'tasks:update',
  delete: 'tasks:delete',
};

const FORBIDDEN: Record<TaskOperation, string> = {
  read: 'You may not read this task',
  transition: 'You may not change the status of this task',
  edit: 'The assignee of a task may change only its status',
  delete: 'Only the creator of a task (or an admin) may delete it',
};

/** The signed-in user a command acts for (a bare service passport carries no user). */
export function actorId(caller: Caller): string {
  if (caller.id === null)
    throw new AppError('forbidden', 'Tasks belong to users; this caller has no user id');
  return caller.id;
}

/** Loads a task the caller may act on, or answers 404 (cannot see it) / 403 (sees it, may not). */
export async function loadTaskFor(
  db: Deps['db'] | Trx,
  caller: Caller,
  id: string,
  op: TaskOperation,
  forUpdate = false,
) {
  const row = await findTask(db, id, { forUpdate });
  if (!row) throw AppError.notFound('Task');
  const viewer = {
    id: caller.id,
    seesAll: scopeOf(caller, PERMISSION.read) === 'all',
    actsOnAll: scopeOf(caller, PERMISSION[op]) === 'all',
  };
  const decision = decideTaskAccess(viewer, row, op);
  if (decision === 'not_found') throw AppError.notFound('Task');
  if (decision === 'forbidden') {
    throw new AppError('forbidden', FORBIDDEN[op]);
  }
  return row;
}

/** A task's category must be one of the creator's own categories (422 naming the field). */
async function checkCategory(trx: Trx, categoryId: string, ownerId: string): Promise<void> {
  const cat = await findCategory(trx, categoryId);
  if (!cat || cat.owner_id !== ownerId) {
    throw AppError.validation([
      {
        field: 'category_id',
        code: 'unknown_category',
        message: 'must be one of the task creator’s own categories',
      },
    ]);
  }
}

/**
 * Who a caller may assign: themselves, or anyone with the `tasks:assign` permission (staff,
 * instructors, admins). Tasks keeps no user directory or teams, so without the permission a
 * user cannot make the platform notify other people with text they wrote (task.assigned mails
 * the assignee the title).
 */
function checkAssignee(caller: Caller, assigneeId: string | null | undefined): void {
  if (assigneeId === undefined || assigneeId === null || assigneeId === caller.id) return;
  if (scopeOf(caller, 'tasks:assign') === 'all') return;
  throw new AppError(
    'forbidden',
    'You may assign tasks only to yourself (assigning others needs tasks:assign)',
    {
      errors: [{ field: 'assignee_id', code: 'not_permitted', message: 'may only be your own user id' }],
    },
  );
}

function publisher(deps: Deps, trx: Trx, actor: Actor) {
  return (type: TaskEventType, row: TaskRow, extra: Partial<TaskEvent> = {}) =>
    deps.publish(trx, type, taskEventData(row, actor.caller.id, extra), { subject: row.id });
}

export async function createTask(deps: Deps, actor: Actor, input: CreateTaskInput): Promise<TaskRow> {
  const me = actorId(actor.caller);
  checkAssignee(actor.caller, input.assignee_id);
  const now = new Date();
  return deps.tx(async (trx) => {
    if (input.category_id) await checkCategory(trx, input.category_id, me);
    const row = await insertTask(trx, {
      id: uuidv7(),
      title: input.title.trim(),
      description: input.description ?? null,
      priority: input.priority ?? DEFAULT_PRIORITY,
      category_id: input.category_id ?? null,
      due_at: input.due_at ? new Date(input.due_at) : null,
      assignee_id: input.assignee_id ?? null,
      created_by: me,
      created_at: now,
      updated_at: now,
    });
    const publish = publisher(deps, trx, actor);
    await publish('task.created', row);
    if (row.assignee_id !== null) await publish('task.assigned', row, { previous_assignee_id: null });
    return row;
  });
}

const sameTime = (a: Date | null, b: Date | null) =>
  a === null ? b === null : b !== null && a.getTime() === b.getTime();

/**
 * PATCH: changes fields and/or status. Only fields whose value actually changes count; a
 * PATCH that changes nothing returns the task untouched and publishes nothing.
 */
export async function changeTask(
  deps: Deps,
  actor: Actor,
  id: string,
  input: UpdateTaskInput,
): Promise<TaskRow> {
  const editsFields = Object.keys(input).some((k) => k !== 'status');
  return deps.tx(async (trx) => {
    const row = await loadTaskFor(trx, actor.caller, id, editsFields ? 'edit' : 'transition', true);
    const patch: TaskPatch = {};
    const changes: string[] = [];
    if (input.title !== undefined && input.title.trim() !== row.title) {
      patch.title = input.title.trim();
      changes.push('title');
    }
    if (input.description !== undefined && input.description !== row.description) {
      patch.description = input.description;
      changes.push('description');
    }
    if (input.priority !== undefined && input.priority !== row.priority) {
      patch.priority = input.priority;
      changes.push('priority');
    }
    if (input.category_id !== undefined && input.category_id !== row.category_id) {
      if (input.category_id !== null) await checkCategory(trx, input.category_id, row.created_by);
      patch.category_id = input.category_id;
      changes.push('category_id');
    }
    if (input.due_at !== undefined) {
      const due = input.due_at === null ? null : new Date(input.due_at);
      if (!sameTime(due, row.due_at)) {
        patch.due_at = due;
        changes.push('due_at');
      }
    }
    if (input.assignee_id !== undefined && input.assignee_id !== row.assignee_id) {
      checkAssignee(actor.caller, input.assignee_id);
      patch.assignee_id = input.assignee_id;
      changes.push('assignee_id');
    }
    let action: TaskAction | null = null;
    if (input.status !== undefined && input.status !== row.status) {
      action = actionBetween(row.status, input.status);
      if (action === null) {
        throw new AppError('invalid_state', `Cannot change a task from ${row.status} to ${input.status}`, {
          errors: [
            {
              field: 'status',
              code: 'invalid_transition',
              message: `cannot go from ${row.status} to ${input.status}`,
            },
          ],
        });
      }
    }
    if (changes.length === 0 && action === null) return row;
    return apply(deps, trx, actor, row, patch, changes, action);
  });
}

/** POST /tasks/{id}/{start|complete|cancel|reopen}. */
export async function actOnTask(deps: Deps, actor: Actor, id: string, action: TaskAction): Promise<TaskRow> {
  return deps.tx(async (trx) => {
    const row = await loadTaskFor(trx, actor.caller, id, 'transition', true);
    return apply(deps, trx, actor, row, {}, [], action);
  });
}

/** Writes the change and publishes its events: updated, then assigned, then completed/cancelled. */
async function apply(
  deps: Deps,
  trx: Trx,
  actor: Actor,
  row: TaskRow,
  patch: TaskPatch,
  changes: string[],
  action: TaskAction | null,
): Promise<TaskRow> {
  const now = new Date();
  if (action !== null) {
    const r = transition(row, action, now);
    if (!r.ok) throw new AppError('invalid_state', r.reason);
    Object.assign(patch, r.state);
    // complete and cancel have their own events; start and reopen are reported as updates.
    if (action === 'start' || action === 'reopen') changes.push('status');
    if (action === 'reopen') changes.push('completed_at');
  }
  const next = await updateTask(trx, row.id, { ...patch, updated_at: now });
  const publish = publisher(deps, trx, actor);
  if (changes.length > 0) {
    await publish('task.updated', next, {
      changes,
      ...(changes.includes('assignee_id') && { previous_assignee_id: row.assignee_id }),
    });
  }
  if (changes.includes('assignee_id') && next.assignee_id !== null) {
    await publish('task.assigned', next, { previous_assignee_id: row.assignee_id });
  }
  if (action === 'complete') await publish('task.completed', next);
  if (action === 'cancel') await publish('task.cancelled', next);
  return next;
}

export async function removeTask(deps: Deps, actor: Actor, id: string): Promise<void> {
  await deps.tx(async (trx) => {
    const row = await loadTaskFor(trx, actor.caller, id, 'delete', true);
    await deleteTask(trx, row.id);
    await publisher(deps, trx, actor)('task.deleted', row);
  });
}
