/** SQL for tasks (Kysely): rows in and out, the list query with its filters and keyset page. */
import { paginate, type Page } from '@portico/kit';
import type { Updateable } from 'kysely';
import type { Db } from '../deps.ts';
import type { Priority } from '../domain/priority.ts';
import type { TaskStatus } from '../domain/task-state.ts';
import { sortSpec, type TaskSort } from '../domain/task-sort.ts';
import type { TaskRow, TaskTable } from '../tables.ts';

export interface NewTask {
  id: string;
  title: string;
  description: string | null;
  priority: Priority;
  category_id: string | null;
  due_at: Date | null;
  assignee_id: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export async function insertTask(db: Db, values: NewTask): Promise<TaskRow> {
  return db.insertInto('tasks').values(values).returningAll().executeTakeFirstOrThrow();
}

/** One task; `forUpdate` locks it until the transaction ends (concurrent transitions serialise). */
export async function findTask(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<TaskRow | undefined> {
  let q = db.selectFrom('tasks').selectAll().where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export type TaskPatch = Omit<Updateable<TaskTable>, 'id' | 'created_by' | 'created_at'>;

export async function updateTask(db: Db, id: string, patch: TaskPatch): Promise<TaskRow> {
  return db.updateTable('tasks').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteTask(db: Db, id: string): Promise<void> {
  await db.deleteFrom('tasks').where('id', '=', id).execute();
}

/** Takes a category off every task that had it; returns the tasks as they are now. */
export async function clearCategory(db: Db, categoryId: string, now: Date): Promise<TaskRow[]> {
  return db
    .updateTable('tasks')
    .set({ category_id: null, updated_at: now })
    .where('category_id', '=', categoryId)
    .returningAll()
    .execute();
}

export interface TaskFilters {
  status?: TaskStatus | undefined;
  priority?: Priority | undefined;
  category_id?: string | undefined;
  assignee_id?: string | undefined;
  created_by?: string | undefined;
  due_before?: Date | undefined;
  overdue?: boolean | undefined;
}

export interface TaskListOptions {
  /** The caller's id, and whether they see every task (admin) or only theirs. */
  viewer: { id: string | null; all: boolean };
  filters: TaskFilters;
  sort: TaskSort;
  limit?: number | undefined;
  cursor?: string | undefined;
  /** "Now" for `overdue`, fixed once per request so the filter and the `overdue` field agree. */
  now: Date;
}

export async function listTasks(db: Db, o: TaskListOptions): Promise<Page<TaskRow>> {
  const f = o.filters;
  let q = db.selectFrom('tasks').selectAll();
  if (!o.viewer.all) {
    const me = o.viewer.id ?? '';
    q = q.where((eb) => eb.or([eb('created_by', '=', me), eb('assignee_id', '=', me)]));
  }
  if (f.status) q = q.where('status', '=', f.status);
  if (f.priority) q = q.where('priority', '=', f.priority);
  if (f.category_id) q = q.where('category_id', '=', f.category_id);
  if (f.assignee_id) q = q.where('assignee_id', '=', f.assignee_id);
  if (f.created_by) q = q.where('created_by', '=', f.created_by);
  if (f.due_before) q = q.where('due_at', '<', f.due_before);
  // Overdue = open and due strictly before now (domain/task-state.ts `isOverdue`).
  if (f.overdue === true) q = q.where('due_at', '<', o.now).where('status', 'in', ['pending', 'in_progress']);
  if (f.overdue === false) {
    q = q.where((eb) =>
      eb.or([
        eb('due_at', 'is', null),
        eb('due_at', '>=', o.now),
        eb('status', 'in', ['completed', 'cancelled']),
      ]),
    );
  }
  const { column, direction } = sortSpec(o.sort);
  return paginate(q, { limit: o.limit, cursor: o.cursor, sort: column, direction });
}
