/**
 * Setting the units on hand of a product in a warehouse (admin, staff). Units already reserved
 * by orders cannot be counted away: a quantity below `reserved` is refused (422
 * `below_reserved`), atomically with the write.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { findProduct } from '../repository/products.ts';
import { reservedUnits, setOnHand } from '../repository/stock.ts';
import { findWarehouseByCode } from '../repository/warehouses.ts';
import type { StockRow } from '../tables.ts';

export async function setStock(
  deps: Deps,
  productId: string,
  warehouseCode: string,
  quantity: number,
): Promise<StockRow & { code: string }> {
  const product = await findProduct(deps.db, productId);
  if (!product) throw AppError.notFound('Product');
  const warehouse = await findWarehouseByCode(deps.db, warehouseCode);
  if (!warehouse) throw AppError.notFound('Warehouse');
  const row = await setOnHand(deps.db, productId, warehouse.id, quantity);
  if (!row) {
    const reserved = await reservedUnits(deps.db, productId, warehouse.id);
    throw AppError.validation([
      {
        field: 'quantity',
        code: 'below_reserved',
        message: `must be at least ${reserved ?? 0}, the units reserved by orders`,
      },
    ]);
  }
  return { ...row, code: warehouse.code };
}
