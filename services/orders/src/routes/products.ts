/** The catalogue: anyone signed in reads active products; admin and staff manage them. */
import { AppError, can, PageOf, listPage } from '@portico/kit';
import { createProduct, findProduct, likePattern, updateProduct } from '../catalogue-repository.ts';
import { IdParams, Product, ProductInput, ProductPatch, ProductQuery } from '../schemas.ts';
import { toProduct } from '../views.ts';
import type { RouteModule } from '../deps.ts';

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
      const p = toProduct(await createProduct(deps.db, req.body));
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
      let q = deps.db.selectFrom('products').selectAll();
      // Customers see what is for sale; the `active` filter is for those who manage the catalogue.
      if (!can(req.caller, 'products:update')) q = q.where('active', '=', true);
      else if (req.query.active !== undefined) q = q.where('active', '=', req.query.active);
      if (req.query.q) {
        const pattern = likePattern(req.query.q);
        q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('sku', 'ilike', pattern)]));
      }
      return listPage(reply, q, { sort: 'id', direction: 'desc' }, toProduct);
    },
  );

  app.get(
    '/api/v1/products/:id',
    {
      config: { permission: 'products:read' },
      schema: { tags: ['products'], summary: 'Get a product', params: IdParams, response: { 200: Product } },
    },
    async (req) => {
      const p = await findProduct(deps.db, req.params.id);
      if (!p || (!p.active && !can(req.caller, 'products:update'))) throw AppError.notFound('Product');
      return toProduct(p);
    },
  );

  app.patch(
    '/api/v1/products/:id',
    {
      config: { permission: 'products:update' },
      schema: {
        tags: ['products'],
        summary: 'Change a product',
        params: IdParams,
        body: ProductPatch,
        response: { 200: Product },
      },
    },
    async (req) => toProduct(await updateProduct(deps.db, req.params.id, req.body)),
  );

  app.delete(
    '/api/v1/products/:id',
    {
      config: { permission: 'products:delete' },
      schema: {
        tags: ['products'],
        summary: 'Withdraw a product (soft: inactive, still readable by staff)',
        params: IdParams,
      },
    },
    async (req, reply) => {
      await updateProduct(deps.db, req.params.id, { active: false });
      return reply.code(204).send();
    },
  );
};
