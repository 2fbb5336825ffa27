/**
 * What orders does with shipping's events: `shipment.dispatched` moves the order to `shipped`
 * (its stock leaves the warehouse, and the order learns its tracking number) and
 * `shipment.delivered` to `delivered`, each publishing `order.shipped` / `order.delivered`.
 * One consumer for both keeps their order on the bus. Redeliveries are dropped by the kit's
 * inbox; a late or repeated event changes nothing (domain/order-status.ts). `shipment.created`
 * is not consumed: it would cost a transaction per order for a number the customer can read
 * from GET /api/v1/shipments?order_id= until the parcel leaves.
 */
import { defineConsumer, type ConsumerContext } from '@portico/kit';
import { followShipment } from './commands/follow-shipment.ts';
import type { Deps } from './deps.ts';
import { SHIPMENT_DELIVERED, SHIPMENT_DISPATCHED } from './events.ts';

export const shipmentProgress = defineConsumer({
  name: 'shipment-progress',
  types: [SHIPMENT_DISPATCHED, SHIPMENT_DELIVERED],
  async handle(event, { trx, deps, log }: ConsumerContext<Deps>) {
    const data = event.data;
    const target = event.type === SHIPMENT_DISPATCHED ? 'shipped' : 'delivered';
    const steps = await followShipment(trx, data.order_id, target, data.tracking_number, (type, d) =>
      deps.publish(trx, type, d, { subject: data.order_id }),
    );
    if (steps === null)
      log.warn(
        { order_id: data.order_id, event_type: event.type },
        'shipment event for an unknown or cancelled order; ignored',
      );
  },
});
