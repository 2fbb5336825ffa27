/**
 * Categories: each user's own `{name, color}`. Names are unique per user ignoring case (409
 * naming `name`); another user's category answers 404 (an admin may read and change any).
 * Deleting one takes it off its tasks, each a `task.updated` in the same transaction.
 */
import { AppError, can, uniqueViolation, type Caller } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Db, Deps, Trx } from '../deps.ts';
import { deleteCategory, findCategory, insertCategory, updateCategory } from '../repository/categories.ts';
import { clearCategory } from '../repository/tasks.ts';
import type { CategoryRow } from '../tables.ts';
import { actorId, taskPublisher, type Actor } from './actor.ts';

export interface CategoryInput {
  name: string;
  color: string;
}

function duplicateName(name: string): AppError {
  return new AppError('already_exists', `You already have a category named "${name}"`, {
    errors: [
      { field: 'name', code: 'already_exists', message: 'is already used by another of your categories' },
    ],
  });
}

/** Runs a write; a unique violation (the per-user name) becomes 409 naming `name`. */
async function uniqueName<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (uniqueViolation(err) !== undefined) throw duplicateName(name);
    throw err;
  }
}

/** A category the caller may use for `permission`; anyone else's answers 404. */
export async function loadCategoryFor(
  db: Db,
  caller: Caller,
  id: string,
  permission: string,
): Promise<CategoryRow> {
  const row = await findCategory(db, id);
  if (!row || !can(caller, permission, { ownerId: row.owner_id })) throw AppError.notFound('Category');
  return row;
}

/** A task's category must be one of the creator's own categories (422 naming the field). */
export async function requireOwnCategory(trx: Trx, categoryId: string, ownerId: string): Promise<void> {
  const cat = await findCategory(trx, categoryId);
  if (!cat || cat.owner_id !== ownerId) {
    throw AppError.validation([
      {
        field: 'category_id',
        code: 'unknown_category',
        message: 'must be one of the task creator’s own categories',
      },
    ]);
  }
}

export async function createCategory(deps: Deps, actor: Actor, input: CategoryInput): Promise<CategoryRow> {
  const values = {
    id: uuidv7(),
    owner_id: actorId(actor.caller),
    name: input.name.trim(),
    color: input.color,
  };
  return uniqueName(values.name, () => insertCategory(deps.db, values));
}

export async function changeCategory(
  deps: Deps,
  actor: Actor,
  id: string,
  input: Partial<CategoryInput>,
): Promise<CategoryRow> {
  const row = await loadCategoryFor(deps.db, actor.caller, id, 'categories:update');
  const patch: { name?: string; color?: string } = {};
  if (input.name !== undefined) patch.name = input.name.trim();
  if (input.color !== undefined) patch.color = input.color;
  return uniqueName(patch.name ?? '', () => updateCategory(deps.db, row.id, patch, new Date()));
}

export async function removeCategory(deps: Deps, actor: Actor, id: string): Promise<void> {
  const row = await loadCategoryFor(deps.db, actor.caller, id, 'categories:delete');
  await deps.tx(async (trx) => {
    // Tasks lose the category; each change is a task.updated like any other.
    for (const task of await clearCategory(trx, row.id, new Date())) {
      await taskPublisher(deps, trx, actor)('task.updated', task, { changes: ['category_id'] });
    }
    await deleteCategory(trx, row.id);
  });
}
