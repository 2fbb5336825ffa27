/**
 * A shipment for a confirmed order (`order.confirmed`): pending, leaving from the order's
 * warehouse for its shipping address, with a first tracking step and `shipment.created`.
 */
import type { OrderConfirmedData } from '@portico/contracts';
import { uuidv7 } from 'uuidv7';
import type { Trx } from '../deps.ts';
import { newTrackingNumber } from '../domain/tracking-number.ts';
import { shipmentData, SHIPMENT_CREATED } from '../events.ts';
import {
  insertShipmentIfNew,
  insertTrackingStep,
  isCancelledOrder,
  orderHasShipment,
} from '../repository/shipments.ts';
import type { ParcelItem, ShipmentRow } from '../tables.ts';
import type { Publish } from './transition.ts';

/** Tracking numbers drawn before giving up (a collision among ~10^15 values is already rare). */
const TRACKING_NUMBER_ATTEMPTS = 5;

/**
 * Creates the order's shipment once: a second `order.confirmed` for the same order (a
 * re-publish with a new event id) finds it and does nothing. Returns null when the order is
 * already known to be cancelled or already has its shipment.
 */
export async function createForOrder(
  trx: Trx,
  order: OrderConfirmedData,
  publish: Publish,
): Promise<ShipmentRow | null> {
  if (await isCancelledOrder(trx, order.order_id)) return null;
  const items: ParcelItem[] = order.items.map((i) => ({
    product_id: i.product_id,
    sku: i.sku,
    name: i.name,
    quantity: i.quantity,
  }));
  for (let attempt = 0; attempt < TRACKING_NUMBER_ATTEMPTS; attempt++) {
    // Nothing inserted: either the order already has its shipment (stop) or the tracking
    // number collided (draw another).
    const row = await insertShipmentIfNew(trx, {
      id: uuidv7(),
      order_id: order.order_id,
      customer_id: order.customer_id,
      tracking_number: newTrackingNumber(),
      origin: order.warehouse,
      destination: order.shipping_address,
      items,
    });
    if (row) {
      await insertTrackingStep(trx, row.id, 'pending', `awaiting dispatch from ${order.warehouse.code}`);
      await publish(SHIPMENT_CREATED, shipmentData(row));
      return row;
    }
    if (await orderHasShipment(trx, order.order_id)) return null;
  }
  throw new Error(`could not draw a unique tracking number in ${TRACKING_NUMBER_ATTEMPTS} attempts`);
}
