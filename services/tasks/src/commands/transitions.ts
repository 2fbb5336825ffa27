/**
 * Moving a task through the state machine (domain/task-state.ts), alone
 * (`POST /tasks/{id}/{start|complete|cancel|reopen}`) or with a field change (PATCH), and
 * writing the change with its events: updated, then assigned, then completed/cancelled.
 */
import { AppError } from '@portico/kit';
import type { Deps, Trx } from '../deps.ts';
import { transition, type TaskAction } from '../domain/task-state.ts';
import { updateTask, type TaskPatch } from '../repository/tasks.ts';
import type { TaskRow } from '../tables.ts';
import { taskPublisher, type Actor } from './actor.ts';
import { loadTaskFor } from './task-access.ts';

export async function actOnTask(deps: Deps, actor: Actor, id: string, action: TaskAction): Promise<TaskRow> {
  return deps.tx(async (trx) => {
    const row = await loadTaskFor(trx, actor.caller, id, 'transition', true);
    return applyChange(deps, trx, actor, row, {}, [], action);
  });
}

/** Writes `patch` (plus the transition's state, if any) and publishes the events it makes. */
export async function applyChange(
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
  const publish = taskPublisher(deps, trx, actor);
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
