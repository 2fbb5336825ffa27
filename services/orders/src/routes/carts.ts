/** Carts (own): create, read, add/change/remove items. */
import { AppError, mapPage, PageOf, PageQuery, paginate, sendPage, Type, listOwner } from '@portico/kit';
import { addCartItem, changeCartItem, openCart, removeCartItem } from '../commands/edit-cart.ts';
import { visibleCart } from '../commands/loaders.ts';
import type { Db, RouteModule } from '../deps.ts';
import { cartLines, cartLinesOf, cartsQuery, findCart } from '../repository/carts.ts';
import { toCart } from '../views.ts';
import { DateTime, Id, IdParams, MoneyOut, nullable, Quantity } from './common.ts';

const CartItemInput = Type.Object({ product_id: Id, quantity: Quantity });
const CartItemPatch = Type.Object({ quantity: Quantity });
const CartItemParams = Type.Object({ id: Id, product_id: Id });
export const CartLine = Type.Object({
  product_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: MoneyOut,
  line_total: MoneyOut,
});
export const Cart = Type.Object({
  id: Type.String(),
  customer_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('ordered')]),
  order_id: nullable(Type.String()),
  items: Type.Array(CartLine),
  total: Type.Union([MoneyOut, Type.Null()], { description: 'Null when empty or mixing currencies' }),
  created_at: DateTime,
  updated_at: DateTime,
});
const CartQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('ordered')])),
});

/** The cart as it is now, with its lines (read after the change committed). */
async function cartView(db: Db, id: string) {
  const cart = await findCart(db, id);
  if (!cart) throw AppError.notFound('Cart');
  return toCart(cart, await cartLines(db, id));
}

export const cartRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/carts',
    {
      config: { permission: 'carts:create' },
      schema: { tags: ['carts'], summary: 'Open a cart', body: Type.Object({}), response: { 201: Cart } },
    },
    async (req, reply) => {
      const cart = await openCart(deps, req.caller);
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
      const q = cartsQuery(deps.db, {
        customerId: listOwner(req.caller, 'carts:read'),
        status: req.query.status,
      });
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
      const { created } = await addCartItem(deps, req.caller, req.params.id, req.body);
      return reply
        .code(created ? 201 : 200)
        .header('location', `/api/v1/carts/${req.params.id}`)
        .send(await cartView(deps.db, req.params.id));
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
      await changeCartItem(deps, req.caller, req.params.id, req.params.product_id, req.body.quantity);
      return cartView(deps.db, req.params.id);
    },
  );

  app.delete(
    '/api/v1/carts/:id/items/:product_id',
    {
      config: { permission: 'carts:update' },
      schema: { tags: ['carts'], summary: 'Remove a line', params: CartItemParams },
    },
    async (req, reply) => {
      await removeCartItem(deps, req.caller, req.params.id, req.params.product_id);
      return reply.code(204).send();
    },
  );
};
