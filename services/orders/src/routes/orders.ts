/** Orders: place from a cart (any signed-in user), read (own; staff and admins all), cancel. */
import { mapPage, PageOf, paginate, scopeOf, sendPage, Type } from '@portico/kit';
import { cancelOrder, itemsOf, placeOrder, visibleOrder, orderView } from '../order-repository.ts';
import { IdParams, Order, OrderInput, OrderQuery } from '../schemas.ts';
import { toOrder } from '../views.ts';
import type { RouteModule } from '../deps.ts';

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
      let q = deps.db.selectFrom('orders').selectAll();
      if (scopeOf(req.caller, 'orders:read') !== 'all') q = q.where('customer_id', '=', req.caller.id ?? '');
      if (req.query.customer_id) q = q.where('customer_id', '=', req.query.customer_id);
      if (req.query.status) q = q.where('status', '=', req.query.status);
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
    async (req) => orderView(deps.db, await visibleOrder(deps.db, req.caller, req.params.id, 'orders:read')),
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
