/** SQL for warehouses, products and stock levels. */
import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, type Static } from '@portico/kit';
import { translateUnique } from './db-errors.ts';
import type { ProductInput, ProductPatch, WarehouseInput } from './schemas.ts';
import type { OrdersDB } from './tables.ts';

type Db = Kysely<OrdersDB>;

/** Warehouse codes are case-insensitive on input and stored upper-case. */
export const normaliseCode = (code: string) => code.toUpperCase();

export async function createWarehouse(db: Db, input: Static<typeof WarehouseInput>) {
  try {
    return await db
      .insertInto('warehouses')
      .values({
        id: uuidv7(),
        code: normaliseCode(input.code),
        name: input.name,
        latitude: input.latitude,
        longitude: input.longitude,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    return translateUnique(err, 'code', 'warehouse');
  }
}

export async function findWarehouseByCode(db: Db, code: string) {
  return db.selectFrom('warehouses').selectAll().where('code', '=', normaliseCode(code)).executeTakeFirst();
}

export async function createProduct(db: Db, input: Static<typeof ProductInput>) {
  try {
    return await db
      .insertInto('products')
      .values({
        id: uuidv7(),
        sku: input.sku,
        name: input.name,
        description: input.description ?? null,
        price: input.price,
        currency: input.currency,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    return translateUnique(err, 'sku', 'product');
  }
}

export async function findProduct(db: Db, id: string) {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateProduct(db: Db, id: string, patch: Static<typeof ProductPatch>) {
  try {
    const row = await db
      .updateTable('products')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw AppError.notFound('Product');
    return row;
  } catch (err) {
    return translateUnique(err, 'sku', 'product');
  }
}

/** Escapes LIKE wildcards so `q` matches literally. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Sets the units on hand of a product in a warehouse. Units already reserved by orders cannot
 * be counted away: a quantity below `reserved` is refused (422), atomically with the write.
 */
export async function setStock(db: Db, productId: string, code: string, quantity: number) {
  const product = await findProduct(db, productId);
  if (!product) throw AppError.notFound('Product');
  const warehouse = await findWarehouseByCode(db, code);
  if (!warehouse) throw AppError.notFound('Warehouse');
  const row = await db
    .insertInto('stock')
    .values({ product_id: productId, warehouse_id: warehouse.id, quantity })
    .onConflict((oc) =>
      oc
        .columns(['product_id', 'warehouse_id'])
        .doUpdateSet({ quantity, updated_at: sql<Date>`now()` })
        .where('stock.reserved', '<=', quantity),
    )
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    const current = await db
      .selectFrom('stock')
      .select('reserved')
      .where('product_id', '=', productId)
      .where('warehouse_id', '=', warehouse.id)
      .executeTakeFirst();
    throw AppError.validation([
      {
        field: 'quantity',
        code: 'below_reserved',
        message: `must be at least ${current?.reserved ?? 0}, the units reserved by orders`,
      },
    ]);
  }
  return { ...row, code: warehouse.code };
}

export async function listStock(db: Db, productId: string) {
  return db
    .selectFrom('stock')
    .innerJoin('warehouses', 'warehouses.id', 'stock.warehouse_id')
    .selectAll('stock')
    .select('warehouses.code')
    .where('stock.product_id', '=', productId)
    .orderBy('warehouses.code')
    .execute();
}
