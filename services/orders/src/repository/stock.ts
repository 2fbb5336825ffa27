/**
 * SQL for stock levels: per product and warehouse, `quantity` on hand and `reserved` by
 * confirmed orders not yet dispatched. A CHECK constraint keeps `0 ≤ reserved ≤ quantity`.
 * Writers that lock several rows take them in (product_id, warehouse_id) order (commands/).
 */
import { sql } from 'kysely';
import type { Db, Trx } from '../deps.ts';
import type { StockRow } from '../tables.ts';

/**
 * Sets the units on hand, unless that would fall below the units reserved: then nothing is
 * written and the result is undefined.
 */
export async function setOnHand(
  db: Db,
  productId: string,
  warehouseId: string,
  quantity: number,
): Promise<StockRow | undefined> {
  return db
    .insertInto('stock')
    .values({ product_id: productId, warehouse_id: warehouseId, quantity })
    .onConflict((oc) =>
      oc
        .columns(['product_id', 'warehouse_id'])
        .doUpdateSet({ quantity, updated_at: sql<Date>`now()` })
        .where('stock.reserved', '<=', quantity),
    )
    .returningAll()
    .executeTakeFirst();
}

export async function reservedUnits(
  db: Db,
  productId: string,
  warehouseId: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('stock')
    .select('reserved')
    .where('product_id', '=', productId)
    .where('warehouse_id', '=', warehouseId)
    .executeTakeFirst();
  return row?.reserved;
}

/** The stock of a product in every warehouse, by warehouse code. */
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

/**
 * Locks (FOR UPDATE) and reads the stock rows of `productIds` in every warehouse that stocks
 * them, in (product_id, warehouse_id) order, each with its warehouse's site.
 */
export async function lockStockOf(trx: Trx, productIds: readonly string[]) {
  return trx
    .selectFrom('stock')
    .innerJoin('warehouses', 'warehouses.id', 'stock.warehouse_id')
    .select([
      'stock.product_id',
      'stock.warehouse_id',
      'stock.quantity',
      'stock.reserved',
      'warehouses.code',
      'warehouses.name',
      'warehouses.latitude',
      'warehouses.longitude',
    ])
    .where('stock.product_id', 'in', productIds)
    .orderBy('stock.product_id')
    .orderBy('stock.warehouse_id')
    .forUpdate('stock')
    .execute();
}

/**
 * What an order does to a stock row: `reserve` units (only while that many are available),
 * `release` them (cancelled), or `ship` them (dispatched: they leave the warehouse and stop
 * being reserved).
 */
export type StockChange = 'reserve' | 'release' | 'ship';

/** Applies `change` of `quantity` units to one stock row; false when no row was changed. */
export async function moveStock(
  trx: Trx,
  productId: string,
  warehouseId: string,
  quantity: number,
  change: StockChange,
): Promise<boolean> {
  let q = trx
    .updateTable('stock')
    .where('product_id', '=', productId)
    .where('warehouse_id', '=', warehouseId);
  if (change === 'reserve') {
    q = q
      .set({ reserved: sql<number>`reserved + ${quantity}` })
      .where(sql<boolean>`quantity - reserved >= ${quantity}`);
  } else if (change === 'release') {
    q = q.set({ reserved: sql<number>`reserved - ${quantity}` });
  } else {
    q = q.set({
      reserved: sql<number>`reserved - ${quantity}`,
      quantity: sql<number>`quantity - ${quantity}`,
    });
  }
  const res = await q.set({ updated_at: sql<Date>`now()` }).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}
