/**
 * An order following its shipment (consumers.ts): `shipment.dispatched` moves it to `shipped`
 * (its stock leaves the warehouse, and it learns its tracking number), `shipment.delivered` to
 * `delivered`, through `shipped` if that event was missed (domain/order-status.ts).
 */
import type { Trx } from '../deps.ts';
import { stepsTowards, type OrderStatus } from '../domain/order-status.ts';
import { orderStatusData, type OrderStatusEventData } from '../events.ts';
import { findOrder, itemsOfOrder, setOrderStatus, setTrackingNumber } from '../repository/orders.ts';
import { adjustStock } from './stock-movements.ts';

/** Writes `order.shipped` / `order.delivered` to the outbox in the current transaction. */
export type PublishProgress = (
  type: 'order.shipped' | 'order.delivered',
  data: OrderStatusEventData,
) => Promise<unknown>;

/**
 * Moves an order towards `target` in the consumer's transaction, publishing an event for each
 * step taken. Returns the steps taken, or null when the order is unknown or cancelled.
 */
export async function followShipment(
  trx: Trx,
  orderId: string,
  target: 'shipped' | 'delivered',
  trackingNumber: string | null,
  publish: PublishProgress,
): Promise<OrderStatus[] | null> {
  const order = await findOrder(trx, orderId, { lock: true });
  if (!order) return null;
  if (trackingNumber && !order.tracking_number) {
    await setTrackingNumber(trx, orderId, trackingNumber);
    order.tracking_number = trackingNumber;
  }
  const steps = stepsTowards(order.status, target);
  if (!steps) return null;
  for (const step of steps) {
    if (step === 'shipped') {
      await adjustStock(trx, order.warehouse_id, await itemsOfOrder(trx, orderId), 'ship');
    }
    const current = await setOrderStatus(trx, orderId, step === 'shipped' ? 'shipped' : 'delivered');
    await publish(step === 'shipped' ? 'order.shipped' : 'order.delivered', orderStatusData(current));
  }
  return steps;
}
