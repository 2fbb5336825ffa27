/**
 * What shipping does with orders' events. One consumer for both types keeps their order on
 * the bus (an order.cancelled does not overtake its order.confirmed); if a redelivery after a
 * failure reorders them anyway, `cancelled_orders` remembers the cancellation. Redeliveries
 * are dropped by the kit's inbox, re-publishes by the unique order_id.
 */
import type { ConsumerDefinition, OrderConfirmedData, OrderStatusData } from '@portico/kit';
import { ORDER_CANCELLED, ORDER_CONFIRMED } from './events.ts';
import { cancelForOrder, createForOrder } from './shipment-repository.ts';
import type { ShippingDB } from './tables.ts';

export const orderEvents: ConsumerDefinition<ShippingDB> = {
  name: 'order-events',
  types: [ORDER_CONFIRMED, ORDER_CANCELLED],
  async handle(event, { trx, publish, log }) {
    if (event.type === ORDER_CONFIRMED) {
      const order = event.data as OrderConfirmedData;
      const created = await createForOrder(trx, order, (type, data) =>
        publish(type, data, { subject: data.shipment_id }),
      );
      if (!created)
        log.info({ order_id: order.order_id }, 'no new shipment: the order already has one or was cancelled');
      return;
    }
    const { order_id } = event.data as OrderStatusData;
    const outcome = await cancelForOrder(trx, order_id, (type, data) =>
      publish(type, data, { subject: data.shipment_id }),
    );
    if (outcome === 'too_late')
      log.warn({ order_id }, 'order cancelled after its shipment left the warehouse; shipment kept');
  },
};
