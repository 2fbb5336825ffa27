/**
 * orders — warehouses, the product catalogue, stock per warehouse, carts and orders
 * (docs/services.md, "orders"). Placing an order reserves stock in the nearest warehouse that holds
 * every item and publishes `order.confirmed` in the same transaction; shipping's events move
 * the order along (consumers.ts).
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { OrdersEvents } from '@portico/contracts';
import { shipmentProgress } from './consumers.ts';
import { PUBLISHES } from './events.ts';
import { cartRoutes } from './routes/carts.ts';
import { orderRoutes } from './routes/orders.ts';
import { productRoutes } from './routes/products.ts';
import { stockRoutes } from './routes/stock.ts';
import { warehouseRoutes } from './routes/warehouses.ts';
import type { OrdersDB } from './tables.ts';
import { VERSIONS } from './versions.ts';

export default defineService<OrdersDB, Record<string, unknown>, OrdersEvents>({
  name: 'orders',
  version: '1.0.0',
  description: 'Catalogue, stock per warehouse, carts and orders.',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: PUBLISHES,
  consumers: [shipmentProgress],
  versions: VERSIONS,
  routes(app, deps) {
    warehouseRoutes(app, deps);
    productRoutes(app, deps);
    stockRoutes(app, deps);
    cartRoutes(app, deps);
    orderRoutes(app, deps);
  },
});
