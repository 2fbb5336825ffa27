/**
 * Task list cursors: the kit's keyset cursor, tagged with the sort order it was issued for.
 *
 * The kit's cursor holds the last row's (sort value, id), so it is only meaningful for the
 * sort that produced it: a `priority` cursor replayed with `sort=due_at` would compare a rank
 * with a date. The tag (`<sort>.<kit cursor>`) lets us refuse that with a 422 naming `cursor`
 * instead of a wrong page or a database error, and the value is checked before it reaches SQL.
 * `due_sort` is +infinity for tasks without a due date; JSON has no infinity, so it travels as
 * the string `infinity`, which PostgreSQL (and PGlite) read back as the timestamp +infinity.
 */
import { AppError } from '@portico/kit';
import { sortSpec, TASK_SORTS, type SortColumn, type TaskSort } from './domain/task-sort.ts';

const invalid = (message = 'is not a cursor this API issued') =>
  AppError.validation([{ field: 'cursor', code: 'invalid', message }]);

interface KeyRow {
  id: string;
  created_at: Date;
  due_sort: Date | number;
  priority_rank: number;
}

/** What the cursor remembers of a row (the kit encodes Dates as ISO strings). */
export function cursorKeyOf(column: SortColumn): (row: KeyRow) => [unknown, unknown] {
  return (row) => {
    const v = row[column];
    if (column === 'due_sort' && !(v instanceof Date)) return ['infinity', row.id];
    return [v, row.id];
  };
}

export function cursorOut(sort: TaskSort, kitCursor: string | null): string | null {
  return kitCursor === null ? null : `${sort}.${kitCursor}`;
}

/** Strips and checks the tag and the key, returning the kit's cursor (or undefined). */
export function cursorIn(sort: TaskSort, cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const dot = cursor.indexOf('.');
  const tag = dot > 0 ? cursor.slice(0, dot) : '';
  if (!(TASK_SORTS as readonly string[]).includes(tag)) throw invalid();
  if (tag !== sort) throw invalid(`was issued for sort=${tag}; pass the same sort or start without a cursor`);
  const kit = cursor.slice(dot + 1);
  if (!validKey(sortSpec(sort).column, kit)) throw invalid();
  return kit;
}

// Reads the kit's encoding (base64url JSON `[sort value, id]`, dates as `{ d: iso }`) only to
// check the value's type; a cursor that fails here would otherwise fail inside the database.
function validKey(column: SortColumn, kit: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(kit, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string') return false;
  const v: unknown = parsed[0];
  const isDate = (x: unknown) =>
    typeof x === 'object' && x !== null && typeof (x as { d?: unknown }).d === 'string' && !Number.isNaN(Date.parse((x as { d: string }).d));
  switch (column) {
    case 'created_at':
      return isDate(v);
    case 'due_sort':
      return isDate(v) || v === 'infinity';
    case 'priority_rank':
      return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4;
  }
}
