/**
 * How an order moves its stock (place: reserve; cancel: release; dispatch: ship), one row per
 * line in product order: the lock order every writer of stock rows keeps (see place-order.ts).
 */
import { AppError } from '@portico/kit';
import type { Trx } from '../deps.ts';
import type { Line } from '../domain/fulfilment.ts';
import { moveStock, type StockChange } from '../repository/stock.ts';

export async function adjustStock(
  trx: Trx,
  warehouseId: string,
  lines: readonly Line[],
  change: StockChange,
): Promise<void> {
  for (const l of [...lines].sort((a, b) => (a.product_id < b.product_id ? -1 : 1))) {
    if (!(await moveStock(trx, l.product_id, warehouseId, l.quantity, change))) {
      // Cannot happen while the rows are locked (reserve) or the reservation exists; refuse loudly.
      throw new AppError('out_of_stock', `Stock of ${l.product_id} changed while ordering`);
    }
  }
}
