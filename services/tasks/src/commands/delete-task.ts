/** Deleting a task (its creator or an admin): the row goes, `task.deleted` carries its last state. */
import type { Deps } from '../deps.ts';
import { deleteTask } from '../repository/tasks.ts';
import { taskPublisher, type Actor } from './actor.ts';
import { loadTaskFor } from './task-access.ts';

export async function removeTask(deps: Deps, actor: Actor, id: string): Promise<void> {
  await deps.tx(async (trx) => {
    const row = await loadTaskFor(trx, actor.caller, id, 'delete', true);
    await deleteTask(trx, row.id);
    await taskPublisher(deps, trx, actor)('task.deleted', row);
  });
}
