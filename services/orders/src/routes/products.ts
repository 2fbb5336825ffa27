/** The catalogue: anyone signed in reads active products; admin and staff manage them. */
import { can, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import { visibleProduct } from '../commands/loaders.ts';
import { changeProduct, createProduct, withdrawProduct } from '../commands/manage-catalogue.ts';
import type { RouteModule } from '../deps.ts';
import { productsQuery } from '../repository/products.ts';
import { toProduct } from '../views.ts';
import { Currency, DateTime, IdParams, Money, MoneyInput, MoneyOut, nullable } from './common.ts';

const Sku = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const ProductInput = Type.Object({
  sku: Sku,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  price: MoneyInput,
});
export const ProductPatch = Type.Object({
  sku: Type.Optional(Sku),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  price: Type.Optional(
    Type.Object(
      { amount: Type.Optional(Money), currency: Type.Optional(Currency) },
      { additionalProperties: false, minProperties: 1, description: 'Either part, or both' },
    ),
  ),
  active: Type.Optional(Type.Boolean()),
});
export const Product = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  description: nullable(Type.String()),
  price: MoneyOut,
  active: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime,
});
const ProductQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Matches name or SKU' })),
  active: Type.Optional(Type.Boolean({ description: 'Staff only; customers see active products' })),
});

export const productRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/products',
    {
      config: { permission: 'products:create' },
      schema: {
        tags: ['products'],
        summary: 'Create a product (SKU unique)',
        body: ProductInput,
        response: { 201: Product },
      },
    },
    async (req, reply) => {
      const { price, ...rest } = req.body;
      const p = toProduct(
        await createProduct(deps, { ...rest, price: price.amount, currency: price.currency }),
      );
      return reply.code(201).header('location', `/api/v1/products/${p.id}`).send(p);
    },
  );

  app.get(
    '/api/v1/products',
    {
      config: { permission: 'products:read' },
      schema: {
        tags: ['products'],
        summary: 'List products',
        querystring: ProductQuery,
        response: { 200: PageOf(Product) },
      },
    },
    async (req, reply) => {
      // Customers see what is for sale; the `active` filter is for those who manage the catalogue.
      const active = can(req.caller, 'products:update') ? req.query.active : true;
      const q = productsQuery(deps.db, { active, q: req.query.q });
      return listPage(reply, q, { sort: 'id', direction: 'desc' }, toProduct);
    },
  );

  app.get(
    '/api/v1/products/:id',
    {
      config: { permission: 'products:read' },
      schema: { tags: ['products'], summary: 'Get a product', params: IdParams, response: { 200: Product } },
    },
    async (req) => toProduct(await visibleProduct(deps.db, req.caller, req.params.id)),
  );

  app.patch(
    '/api/v1/products/:id',
    {
      config: { permission: 'products:update', ifMatch: 'required' },
      schema: {
        tags: ['products'],
        summary: 'Change a product',
        params: IdParams,
        body: ProductPatch,
        response: { 200: Product },
      },
    },
    async (req) => {
      const { price, ...rest } = req.body;
      const patch = {
        ...rest,
        ...(price?.amount !== undefined && { price: price.amount }),
        ...(price?.currency !== undefined && { currency: price.currency }),
      };
      return toProduct(await changeProduct(deps, req.params.id, patch));
    },
  );

  app.delete(
    '/api/v1/products/:id',
    {
      config: { permission: 'products:delete', ifMatch: 'required' },
      schema: {
        tags: ['products'],
        summary: 'Withdraw a product (soft: inactive, still readable by staff)',
        params: IdParams,
      },
    },
    async (req, reply) => {
      await withdrawProduct(deps, req.params.id);
      return reply.code(204).send();
    },
  );
};
