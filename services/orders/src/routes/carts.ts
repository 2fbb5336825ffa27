/** Carts (own): create, read, add/change/remove items. */
import { AppError, mapPage, PageOf, paginate, scopeOf, sendPage, Type } from '@portico/kit';
import {
  addItem,
  cartLines,
  cartLinesOf,
  createCart,
  removeItem,
  setItemQuantity,
  toCart,
  visibleCart,
} from '../cart-repository.ts';
import { Cart, CartItemInput, CartItemParams, CartItemPatch, CartQuery, IdParams } from '../schemas.ts';
import type { Deps, RouteModule } from '../deps.ts';

async function view(deps: Deps, id: string) {
  const cart = await deps.db.selectFrom('carts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toCart(cart, await cartLines(deps.db, id));
}

export const cartRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/carts',
    {
      config: { permission: 'carts:create' },
      schema: { tags: ['carts'], summary: 'Open a cart', body: Type.Object({}), response: { 201: Cart } },
    },
    async (req, reply) => {
      if (!req.caller.id) throw new AppError('forbidden', 'A cart belongs to a user');
      const cart = await createCart(deps.db, req.caller.id);
      return reply.code(201).header('location', `/api/v1/carts/${cart.id}`).send(toCart(cart, []));
    },
  );

  app.get(
    '/api/v1/carts',
    {
      config: { permission: 'carts:read' },
      schema: {
        tags: ['carts'],
        summary: 'List carts (own; admins all)',
        querystring: CartQuery,
        response: { 200: PageOf(Cart) },
      },
    },
    async (req, reply) => {
      let q = deps.db.selectFrom('carts').selectAll();
      if (scopeOf(req.caller, 'carts:read') !== 'all') q = q.where('customer_id', '=', req.caller.id ?? '');
      if (req.query.status) q = q.where('status', '=', req.query.status);
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'id',
        direction: 'desc',
      });
      const lines = await cartLinesOf(
        deps.db,
        page.data.map((c) => c.id),
      );
      return sendPage(
        reply,
        mapPage(page, (c) => toCart(c, lines.get(c.id) ?? [])),
      );
    },
  );

  app.get(
    '/api/v1/carts/:id',
    {
      config: { permission: 'carts:read' },
      schema: { tags: ['carts'], summary: 'Get a cart', params: IdParams, response: { 200: Cart } },
    },
    async (req) => {
      const cart = await visibleCart(deps.db, req.caller, req.params.id, 'carts:read');
      return toCart(cart, await cartLines(deps.db, cart.id));
    },
  );

  app.post(
    '/api/v1/carts/:id/items',
    {
      config: { permission: 'carts:update' },
      schema: {
        tags: ['carts'],
        summary: 'Add a product (merges with an existing line)',
        description:
          '201 with the cart when the line is new, 200 when it was merged. Every item of a cart shares one currency (422).',
        params: IdParams,
        body: CartItemInput,
        response: { 200: Cart, 201: Cart },
      },
    },
    async (req, reply) => {
      const { created } = await deps.tx((trx) =>
        addItem(trx, req.caller, req.params.id, req.body.product_id, req.body.quantity),
      );
      return reply
        .code(created ? 201 : 200)
        .header('location', `/api/v1/carts/${req.params.id}`)
        .send(await view(deps, req.params.id));
    },
  );

  app.patch(
    '/api/v1/carts/:id/items/:product_id',
    {
      config: { permission: 'carts:update' },
      schema: {
        tags: ['carts'],
        summary: 'Change the quantity of a line',
        params: CartItemParams,
        body: CartItemPatch,
        response: { 200: Cart },
      },
    },
    async (req) => {
      await deps.tx((trx) =>
        setItemQuantity(trx, req.caller, req.params.id, req.params.product_id, req.body.quantity),
      );
      return view(deps, req.params.id);
    },
  );

  app.delete(
    '/api/v1/carts/:id/items/:product_id',
    {
      config: { permission: 'carts:update' },
      schema: { tags: ['carts'], summary: 'Remove a line', params: CartItemParams },
    },
    async (req, reply) => {
      await deps.tx((trx) => removeItem(trx, req.caller, req.params.id, req.params.product_id));
      return reply.code(204).send();
    },
  );
};
