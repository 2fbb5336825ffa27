/**
 * The sort orders a task list accepts (`sort`, `-field` for descending — docs/api-conventions.md)
 * and the NOT NULL column each one pages on. `due_at` pages on `due_sort` (no due date = +∞)
 * and `priority` on `priority_rank` (low 1 … urgent 4); the id breaks ties in the same
 * direction.
 */
export const TASK_SORTS = [
  'created_at',
  '-created_at',
  'due_at',
  '-due_at',
  'priority',
  '-priority',
] as const;
export type TaskSort = (typeof TASK_SORTS)[number];
export const DEFAULT_TASK_SORT: TaskSort = '-created_at';

export type SortColumn = 'created_at' | 'due_sort' | 'priority_rank';

const COLUMNS: Record<string, SortColumn> = {
  created_at: 'created_at',
  due_at: 'due_sort',
  priority: 'priority_rank',
};

export function sortSpec(sort: TaskSort): { column: SortColumn; direction: 'asc' | 'desc' } {
  const desc = sort.startsWith('-');
  return { column: COLUMNS[desc ? sort.slice(1) : sort]!, direction: desc ? 'desc' : 'asc' };
}
