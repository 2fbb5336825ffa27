/** SQL for the product catalogue. SKUs are unique (409 naming `sku`). */
import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import type { ProductRow } from '../tables.ts';
import { translateUnique } from '@portico/kit';

export interface ProductValues {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: number;
  currency: string;
}

export interface ProductPatch {
  sku?: string;
  name?: string;
  description?: string | null;
  price?: number;
  currency?: string;
  active?: boolean;
}

export async function insertProduct(db: Db, values: ProductValues): Promise<ProductRow> {
  try {
    return await db.insertInto('products').values(values).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    return translateUnique(err, 'product', 'sku');
  }
}

export async function findProduct(db: Db, id: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The changed product, or undefined when there is none with `id`. */
export async function updateProduct(
  db: Db,
  id: string,
  patch: ProductPatch,
): Promise<ProductRow | undefined> {
  try {
    return await db
      .updateTable('products')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  } catch (err) {
    return translateUnique(err, 'product', 'sku');
  }
}

/** Escapes LIKE wildcards so `q` matches literally. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Products for `listPage`: only those with `active` when it is given, and those whose name or
 * SKU contains `q` (case-insensitive) when it is.
 */
export function productsQuery(db: Db, filter: { active?: boolean | undefined; q?: string | undefined }) {
  let q = db.selectFrom('products').selectAll();
  if (filter.active !== undefined) q = q.where('active', '=', filter.active);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('sku', 'ilike', pattern)]));
  }
  return q;
}
