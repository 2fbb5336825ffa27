/**
 * shipping — one shipment per confirmed order (docs/services.md, "shipping"): created from
 * `order.confirmed`, cancelled with its order while pending, dispatched and delivered by
 * staff, with a tracking history. Publishes shipment.created/dispatched/delivered/cancelled.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { ShippingEvents } from '@portico/contracts';
import { orderEvents } from './consumers.ts';
import { PUBLISHES } from './events.ts';
import { shipmentRoutes } from './routes/shipments.ts';
import type { ShippingDB } from './tables.ts';

export default defineService<ShippingDB, Record<string, unknown>, ShippingEvents>({
  name: 'shipping',
  version: '1.0.0',
  description: 'Shipments of confirmed orders, their dispatch, delivery and tracking.',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: PUBLISHES,
  consumers: [orderEvents],
  routes: shipmentRoutes,
});
