/**
 * What shipping does with orders' events. One consumer for both types keeps their order on
 * the bus (an order.cancelled does not overtake its order.confirmed); if a redelivery after a
 * failure reorders them anyway, `cancelled_orders` remembers the cancellation. Redeliveries
 * are dropped by the kit's inbox, re-publishes by the unique order_id.
 */
import { defineConsumer, type ConsumerContext } from '@portico/kit';
import type { ShipmentData, ShippingEvents } from '@portico/contracts';
import { ORDER_CANCELLED, ORDER_CONFIRMED } from './events.ts';
import { cancelForOrder } from './commands/cancel-shipment.ts';
import { createForOrder } from './commands/create-shipment.ts';
import type { Deps } from './deps.ts';

export const orderEvents = defineConsumer({
  name: 'order-events',
  types: [ORDER_CONFIRMED, ORDER_CANCELLED],
  async handle(event, { trx, deps, log }: ConsumerContext<Deps>) {
    const publish = (type: keyof ShippingEvents, data: ShipmentData) =>
      deps.publish(trx, type, data, { subject: data.shipment_id });
    if (event.type === ORDER_CONFIRMED) {
      const order = event.data;
      const created = await createForOrder(trx, order, publish);
      if (!created)
        log.info({ order_id: order.order_id }, 'no new shipment: the order already has one or was cancelled');
      return;
    }
    const { order_id } = event.data;
    const outcome = await cancelForOrder(trx, order_id, publish);
    if (outcome === 'too_late')
      log.warn({ order_id }, 'order cancelled after its shipment left the warehouse; shipment kept');
  },
});
