/** Orders: place from a cart (any signed-in user), read (own; staff and admins all), cancel. */
import { mapPage, PageOf, PageQuery, paginate, sendPage, Type, listOwner } from '@portico/kit';
import { cancelOrder } from '../commands/cancel-order.ts';
import { visibleOrder } from '../commands/loaders.ts';
import { placeOrder } from '../commands/place-order.ts';
import type { RouteModule } from '../deps.ts';
import { itemsOf, itemsOfOrder, ordersQuery } from '../repository/orders.ts';
import { toOrder } from '../views.ts';
import { DateTime, Id, IdParams, Latitude, Longitude, MoneyOut, nullable } from './common.ts';

const ShippingAddressInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  line1: Type.String({ minLength: 1, maxLength: 300 }),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  country: Type.String({ minLength: 2, maxLength: 100, description: 'ISO 3166-1 alpha-2 code or name' }),
  postal_code: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
  latitude: Type.Optional(Type.Union([Latitude, Type.Null()])),
  longitude: Type.Optional(Type.Union([Longitude, Type.Null()])),
});
const OrderInput = Type.Object({ cart_id: Id, shipping_address: ShippingAddressInput });

const ShippingAddress = Type.Object({
  name: Type.String(),
  line1: Type.String(),
  city: Type.String(),
  country: Type.String(),
  postal_code: nullable(Type.String()),
  latitude: Type.Union([Type.Number(), Type.Null()]),
  longitude: Type.Union([Type.Number(), Type.Null()]),
});
export const OrderItem = Type.Object({
  product_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: MoneyOut,
});
const OrderStatus = Type.Union([
  Type.Literal('confirmed'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
]);
export const Order = Type.Object({
  id: Type.String(),
  customer_id: Type.String(),
  status: OrderStatus,
  items: Type.Array(OrderItem),
  total: MoneyOut,
  warehouse: Type.Object({
    code: Type.String(),
    name: Type.String(),
    latitude: Type.Number(),
    longitude: Type.Number(),
  }),
  shipping_address: ShippingAddress,
  tracking_number: nullable(Type.String()),
  created_at: DateTime,
  updated_at: DateTime,
  shipped_at: nullable(DateTime),
  delivered_at: nullable(DateTime),
  cancelled_at: nullable(DateTime),
});
const OrderQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(OrderStatus),
  customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Staff and admins only' })),
});

export const orderRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/orders',
    {
      config: { permission: 'orders:create' },
      schema: {
        tags: ['orders'],
        summary: 'Order a cart',
        description:
          'Reserves the stock in the nearest warehouse (great-circle distance) that holds every item, in the same transaction ' +
          'as the order. 409 `out_of_stock` when none does; 422 for an empty cart or one mixing currencies; 409 `conflict` ' +
          'when the cart was already ordered. Safe to retry with `Idempotency-Key`.',
        body: OrderInput,
        response: { 201: Order },
      },
    },
    async (req, reply) => {
      const order = await placeOrder(deps, req.caller, req.body);
      return reply.code(201).header('location', `/api/v1/orders/${order.id}`).send(order);
    },
  );

  app.get(
    '/api/v1/orders',
    {
      config: { permission: 'orders:read' },
      schema: {
        tags: ['orders'],
        summary: 'List orders, newest first (own; staff and admins all, filterable by customer_id)',
        querystring: OrderQuery,
        response: { 200: PageOf(Order) },
      },
    },
    async (req, reply) => {
      const q = ordersQuery(deps.db, {
        ownerId: listOwner(req.caller, 'orders:read'),
        customerId: req.query.customer_id,
        status: req.query.status,
      });
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'id',
        direction: 'desc',
      });
      const items = await itemsOf(
        deps.db,
        page.data.map((o) => o.id),
      );
      return sendPage(
        reply,
        mapPage(page, (o) => toOrder(o, items.get(o.id) ?? [])),
      );
    },
  );

  app.get(
    '/api/v1/orders/:id',
    {
      config: { permission: 'orders:read' },
      schema: { tags: ['orders'], summary: 'Get an order', params: IdParams, response: { 200: Order } },
    },
    async (req) => {
      const order = await visibleOrder(deps.db, req.caller, req.params.id, 'orders:read');
      return toOrder(order, await itemsOfOrder(deps.db, order.id));
    },
  );

  app.post(
    '/api/v1/orders/:id/cancel',
    {
      config: { permission: 'orders:cancel' },
      schema: {
        tags: ['orders'],
        summary: 'Cancel a confirmed order (releases its stock)',
        description:
          'Only a `confirmed` order can be cancelled; once shipped or delivered → 409 `invalid_state`.',
        params: IdParams,
        body: Type.Object({}),
        response: { 200: Order },
      },
    },
    async (req) => cancelOrder(deps, req.caller, req.params.id),
  );
};
