/** SQL for categories (Kysely). A duplicate name surfaces as the database's unique violation. */
import type { Db } from '../deps.ts';
import type { CategoryRow } from '../tables.ts';

export async function insertCategory(
  db: Db,
  values: { id: string; owner_id: string; name: string; color: string },
): Promise<CategoryRow> {
  return db.insertInto('categories').values(values).returningAll().executeTakeFirstOrThrow();
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
  return db
    .updateTable('categories')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteCategory(db: Db, id: string): Promise<void> {
  await db.deleteFrom('categories').where('id', '=', id).execute();
}

/** One owner's categories, for `paginate` (sorted by name, then id). */
export function categoriesOf(db: Db, ownerId: string) {
  return db.selectFrom('categories').selectAll().where('owner_id', '=', ownerId);
}
