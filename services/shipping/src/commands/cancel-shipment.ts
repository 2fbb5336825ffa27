/**
 * A cancelled order (`order.cancelled`) cancels its shipment while it is pending. A shipment
 * already on its way stays as it is (the order was cancelled in the window before
 * `shipment.dispatched` reached orders; see the README). When the shipment does not exist yet
 * (the events were reordered by a redelivery) the cancellation is remembered, and the late
 * `order.confirmed` creates nothing.
 */
import type { Trx } from '../deps.ts';
import { findShipmentOfOrder, rememberCancelledOrder } from '../repository/shipments.ts';
import { applyAction, type Publish } from './transition.ts';

/** What happened, for the log. */
export type CancelOutcome = 'cancelled' | 'remembered' | 'too_late' | 'already';

export async function cancelForOrder(trx: Trx, orderId: string, publish: Publish): Promise<CancelOutcome> {
  const s = await findShipmentOfOrder(trx, orderId, { lock: true });
  if (!s) {
    await rememberCancelledOrder(trx, orderId);
    return 'remembered';
  }
  if (s.status === 'cancelled') return 'already';
  if (s.status !== 'pending') return 'too_late';
  await applyAction(trx, s, 'cancel', null, publish);
  return 'cancelled';
}
