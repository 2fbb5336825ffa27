/** The service's tables, as Kysely sees them (see migrations/). */
import type { ColumnType, Generated, GeneratedAlways, Selectable } from 'kysely';
import type { Priority } from './domain/priority.ts';
import type { TaskStatus } from './domain/task-state.ts';

type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export interface CategoryTable {
  id: string;
  owner_id: string;
  name: string;
  color: string;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TaskTable {
  id: string;
  title: string;
  description: string | null;
  priority: Priority;
  priority_rank: GeneratedAlways<number>;
  status: Generated<TaskStatus>;
  category_id: string | null;
  due_at: NullableTimestamp;
  /** `due_at`, or +infinity (read back as the number `Infinity`) when there is none. */
  due_sort: GeneratedAlways<Date | number>;
  assignee_id: string | null;
  created_by: string;
  completed_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TasksDatabase {
  categories: CategoryTable;
  tasks: TaskTable;
}

/** A row as read back (generated columns included). */
export type CategoryRow = Selectable<CategoryTable>;
export type TaskRow = Selectable<TaskTable>;
