/**
 * Cancelling an order (its customer, staff, admins): confirmed → cancelled, releasing the
 * reserved stock and publishing `order.cancelled` in the same transaction. Any later status is
 * 409 `invalid_state` (domain/order-status.ts).
 */
import { AppError, type Caller } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { canCancel } from '../domain/order-status.ts';
import { ORDER_CANCELLED, orderStatusData } from '../events.ts';
import { itemsOfOrder, setOrderStatus } from '../repository/orders.ts';
import { toOrder, type OrderView } from '../views.ts';
import { visibleOrder } from './loaders.ts';
import { adjustStock } from './stock-movements.ts';

export async function cancelOrder(deps: Deps, caller: Caller, id: string): Promise<OrderView> {
  return deps.tx(
    async (trx) => {
      const order = await visibleOrder(trx, caller, id, 'orders:cancel', true);
      if (!canCancel(order.status)) {
        throw new AppError('invalid_state', `An order that is ${order.status} cannot be cancelled`, {
          extensions: { current_status: order.status },
        });
      }
      const items = await itemsOfOrder(trx, id);
      await adjustStock(trx, order.warehouse_id, items, 'release');
      const updated = await setOrderStatus(trx, id, 'cancelled');
      await deps.publish(trx, ORDER_CANCELLED, orderStatusData(updated), { subject: id });
      return toOrder(updated, items);
    },
    { retry: {} },
  );
}
