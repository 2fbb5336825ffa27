/**
 * Compile-time checks of typed events, enforced by `npm run typecheck` (this file is in the
 * tsconfig; vitest does not run it). Each `@ts-expect-error` must meet an error: if the types
 * ever let the line through, the directive itself fails the typecheck.
 */
import { defineConsumer, defineService, type ConsumerContext, type ServiceDeps } from '@portico/kit';
import type { OrdersEvents, ShippingEvents } from '../src/index.ts';

type OrdersDeps = ServiceDeps<Record<string, never>, Record<string, unknown>, OrdersEvents>;
type ShippingDeps = ServiceDeps<Record<string, never>, Record<string, unknown>, ShippingEvents>;

// A consumer's `event.data` is narrowed by `event.type`, without casts.
export const follow = defineConsumer({
  name: 'follow',
  types: ['shipment.dispatched', 'order.confirmed'],
  async handle(event, { trx, deps }: ConsumerContext<ShippingDeps>) {
    if (event.type === 'order.confirmed') {
      const city: string = event.data.shipping_address.city;
      // @ts-expect-error a shipment's field: `order.confirmed` has no tracking_number
      void event.data.tracking_number;
      await deps.publish(trx, 'shipment.created', {
        shipment_id: 's1',
        order_id: event.data.order_id,
        customer_id: event.data.customer_id,
        status: 'pending',
        tracking_number: city,
      });
      return;
    }
    const tracking: string = event.data.tracking_number;
    // @ts-expect-error a field no event has
    void event.data.warehouse_code;
    // @ts-expect-error shipping does not publish orders' events
    await deps.publish(trx, 'order.shipped', { order_id: 'o1', customer_id: 'c1', status: tracking });
  },
});

// A consumer of a type nobody declares does not compile.
defineConsumer({
  name: 'nothing',
  // @ts-expect-error `order.teleported` is in no event map
  types: ['order.teleported'],
  async handle() {},
});

export function publishing(deps: OrdersDeps, trx: Parameters<OrdersDeps['publish']>[0]) {
  return [
    deps.publish(trx, 'order.cancelled', { order_id: 'o1', customer_id: 'c1', status: 'cancelled' }),
    // @ts-expect-error publishing an undeclared type
    deps.publish(trx, 'order.teleported', { order_id: 'o1' }),
    // @ts-expect-error a declared type with another type's data
    deps.publish(trx, 'order.cancelled', { shipment_id: 's1' }),
    // @ts-expect-error a declared type with a required field missing
    deps.publish(trx, 'order.confirmed', { order_id: 'o1', customer_id: 'c1' }),
  ];
}

// `publishes` lists only the types of the service's map.
export const orders = defineService<Record<string, never>, Record<string, unknown>, OrdersEvents>({
  name: 'typed-orders',
  version: '0.0.0',
  migrations: [],
  // @ts-expect-error `shipment.created` is shipping's, not in OrdersEvents
  publishes: ['order.confirmed', 'shipment.created'],
  routes() {},
});
