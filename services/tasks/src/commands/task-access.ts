/**
 * Loading a task for an operation: the caller's scopes (kit) feed the pure decision in
 * domain/task-access.ts; the answer is the row, 404 (cannot see it) or 403 (sees it, may not).
 */
import { AppError, scopeOf, type Caller } from '@portico/kit';
import type { Db } from '../deps.ts';
import { decideTaskAccess, type TaskOperation } from '../domain/task-access.ts';
import { findTask } from '../repository/tasks.ts';
import type { TaskRow } from '../tables.ts';

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

/** `forUpdate` locks the row until the transaction ends (concurrent changes serialise). */
export async function loadTaskFor(
  db: Db,
  caller: Caller,
  id: string,
  op: TaskOperation,
  forUpdate = false,
): Promise<TaskRow> {
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
