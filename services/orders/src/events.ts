/**
 * The events orders publishes and consumes. Shapes are the shared contracts in
 * `@portico/contracts` (`OrdersEvents`); extra fields are allowed and documented in the README.
 */
import type { OrderConfirmedData, OrderStatusData, OrdersEvents } from '@portico/contracts';
import type { OrderView } from './views.ts';

export const ORDER_CONFIRMED = 'order.confirmed';
export const ORDER_CANCELLED = 'order.cancelled';
export const ORDER_SHIPPED = 'order.shipped';
export const ORDER_DELIVERED = 'order.delivered';
export const PUBLISHES = [
  ORDER_CONFIRMED,
  ORDER_CANCELLED,
  ORDER_SHIPPED,
  ORDER_DELIVERED,
] as const satisfies readonly (keyof OrdersEvents)[];

export const SHIPMENT_DISPATCHED = 'shipment.dispatched';
export const SHIPMENT_DELIVERED = 'shipment.delivered';

export function orderConfirmedData(o: OrderView): OrderConfirmedData & { created_at: string } {
  return {
    order_id: o.id,
    customer_id: o.customer_id,
    warehouse: o.warehouse,
    // Events keep their own schema (docs/versions.md: events are not versioned): plain minor units.
    items: o.items.map((i) => ({ ...i, unit_price: i.unit_price.amount })),
    total: o.total.amount,
    currency: o.total.currency,
    shipping_address: o.shipping_address,
    created_at: o.created_at,
  };
}

/** order.cancelled / order.shipped / order.delivered. */
export interface OrderStatusEventData extends OrderStatusData {
  total: number;
  currency: string;
  tracking_number: string | null;
}

export function orderStatusData(o: {
  id: string;
  customer_id: string;
  status: string;
  total: number;
  currency: string;
  tracking_number: string | null;
}): OrderStatusEventData {
  return {
    order_id: o.id,
    customer_id: o.customer_id,
    status: o.status,
    total: o.total,
    currency: o.currency,
    tracking_number: o.tracking_number,
  };
}
