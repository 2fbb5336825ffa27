/** The events shipping publishes and consumes; shapes from `@portico/contracts` (`ShippingEvents`). */
import type { ShipmentData } from '@portico/contracts';
import type { ShipmentRow } from './tables.ts';

export const ORDER_CONFIRMED = 'order.confirmed';
export const ORDER_CANCELLED = 'order.cancelled';

export const SHIPMENT_CREATED = 'shipment.created';
export const SHIPMENT_DISPATCHED = 'shipment.dispatched';
export const SHIPMENT_DELIVERED = 'shipment.delivered';
export const SHIPMENT_CANCELLED = 'shipment.cancelled';
export const PUBLISHES = [
  SHIPMENT_CREATED,
  SHIPMENT_DISPATCHED,
  SHIPMENT_DELIVERED,
  SHIPMENT_CANCELLED,
] as const;

/** ShipmentData plus the warehouse it leaves from (an extra, compatible field). */
export function shipmentData(s: ShipmentRow): ShipmentData & { origin_code: string } {
  return {
    shipment_id: s.id,
    order_id: s.order_id,
    customer_id: s.customer_id,
    status: s.status,
    tracking_number: s.tracking_number,
    carrier: s.carrier,
    origin_code: s.origin.code,
  };
}
