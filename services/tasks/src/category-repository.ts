/** SQL for categories (Kysely). Unique-name violations become 409s naming `name`. */
import { AppError } from '@portico/kit';
import type { Kysely, Transaction } from 'kysely';
import type { CategoryRow, TasksDatabase } from './tables.ts';

type Db = Kysely<TasksDatabase> | Transaction<TasksDatabase>;

/** PostgreSQL `unique_violation` (SQLSTATE 23505), raised the same way by PGlite and pg. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

function duplicateName(name: string): AppError {
  return new AppError('already_exists', `You already have a category named "${name}"`, {
    errors: [
      { field: 'name', code: 'already_exists', message: 'is already used by another of your categories' },
    ],
  });
}

export async function insertCategory(
  db: Db,
  values: { id: string; owner_id: string; name: string; color: string },
): Promise<CategoryRow> {
  try {
    return await db.insertInto('categories').values(values).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(values.name);
    throw err;
  }
}

export async function findCategory(db: Db, id: string): Promise<CategoryRow | undefined> {
  return db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateCategory(
  db: Db,
  id: string,
  patch: { name?: string; color?: string },
  now: Date,
): Promise<CategoryRow> {
  try {
    return await db
      .updateTable('categories')
      .set({ ...patch, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateName(patch.name ?? '');
    throw err;
  }
}

export async function deleteCategory(db: Db, id: string): Promise<void> {
  await db.deleteFrom('categories').where('id', '=', id).execute();
}

/** One owner's categories, for `paginate` (sorted by name, then id). */
export function categoriesOf(db: Db, ownerId: string) {
  return db.selectFrom('categories').selectAll().where('owner_id', '=', ownerId);
}
