/**
 * PATCH: changes fields and/or status. Only fields whose value actually changes count; a
 * PATCH that changes nothing returns the task untouched and publishes nothing. The creator
 * (or an admin) may change any field; the assignee only the status.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { actionBetween, type TaskAction, type TaskStatus } from '../domain/task-state.ts';
import type { TaskPatch } from '../repository/tasks.ts';
import type { TaskRow } from '../tables.ts';
import type { Actor } from './actor.ts';
import { checkAssignee } from './assign.ts';
import { requireOwnCategory } from './categories.ts';
import type { CreateTaskInput } from './create-task.ts';
import { loadTaskFor } from './task-access.ts';
import { applyChange } from './transitions.ts';

export interface UpdateTaskInput extends Partial<CreateTaskInput> {
  status?: TaskStatus | undefined;
}

const sameTime = (a: Date | null, b: Date | null) =>
  a === null ? b === null : b !== null && a.getTime() === b.getTime();

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
      if (input.category_id !== null) await requireOwnCategory(trx, input.category_id, row.created_by);
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
    return applyChange(deps, trx, actor, row, patch, changes, action);
  });
}
