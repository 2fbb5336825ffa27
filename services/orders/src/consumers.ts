/**
 * What orders does with shipping's events: `shipment.created` records the tracking number;
 * `shipment.dispatched` moves the order to `shipped` (its stock leaves the warehouse) and
 * `shipment.delivered` to `delivered`, each publishing `order.shipped` / `order.delivered`.
 * One consumer for all three keeps their order on the bus. Redeliveries are dropped by the
 * kit's inbox; a late or repeated event changes nothing (domain/order-status.ts).
 */
import type { ConsumerDefinition, ShipmentData } from '@portico/kit';
import { SHIPMENT_CREATED, SHIPMENT_DELIVERED, SHIPMENT_DISPATCHED } from './events.ts';
import { followShipment, recordTracking } from './order-repository.ts';
import type { OrdersDB } from './tables.ts';

export const shipmentProgress: ConsumerDefinition<OrdersDB> = {
  name: 'shipment-progress',
  types: [SHIPMENT_CREATED, SHIPMENT_DISPATCHED, SHIPMENT_DELIVERED],
  async handle(event, { trx, publish, log }) {
    const data = event.data as ShipmentData;
    if (event.type === SHIPMENT_CREATED) {
      await recordTracking(trx, data.order_id, data.tracking_number);
      return;
    }
    const target = event.type === SHIPMENT_DISPATCHED ? 'shipped' : 'delivered';
    const steps = await followShipment(trx, data.order_id, target, data.tracking_number, (type, d) =>
      publish(type, d, { subject: data.order_id }),
    );
    if (steps === null) log.warn({ order_id: data.order_id, event_type: event.type }, 'shipment event for an unknown or cancelled order; ignored');
  },
};
