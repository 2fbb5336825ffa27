/** Creating a task (status pending): `task.created`, and `task.assigned` when it has an assignee. */
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { DEFAULT_PRIORITY, type Priority } from '../domain/priority.ts';
import { insertTask } from '../repository/tasks.ts';
import type { TaskRow } from '../tables.ts';
import { actorId, taskPublisher, type Actor } from './actor.ts';
import { checkAssignee } from './assign.ts';
import { requireOwnCategory } from './categories.ts';

export interface CreateTaskInput {
  title: string;
  description?: string | null | undefined;
  priority?: Priority | undefined;
  category_id?: string | null | undefined;
  due_at?: string | null | undefined;
  assignee_id?: string | null | undefined;
}

export async function createTask(deps: Deps, actor: Actor, input: CreateTaskInput): Promise<TaskRow> {
  const me = actorId(actor.caller);
  checkAssignee(actor.caller, input.assignee_id);
  const now = new Date();
  return deps.tx(async (trx) => {
    if (input.category_id) await requireOwnCategory(trx, input.category_id, me);
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
    const publish = taskPublisher(deps, trx, actor);
    await publish('task.created', row);
    if (row.assignee_id !== null) await publish('task.assigned', row, { previous_assignee_id: null });
    return row;
  });
}
