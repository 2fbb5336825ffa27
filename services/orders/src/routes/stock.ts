/** Stock levels per product and warehouse (admin, staff). */
import { AppError } from '@portico/kit';
import { findProduct, listStock, setStock } from '../catalogue-repository.ts';
import { IdParams, StockInput, StockLevel, StockList, StockParams } from '../schemas.ts';
import { toStock } from '../views.ts';
import type { RouteModule } from '../deps.ts';

export const stockRoutes: RouteModule = (app, deps) => {
  app.put(
    '/api/v1/products/:id/stock/:warehouse_code',
    {
      config: { permission: 'stock:update' },
      schema: {
        tags: ['stock'],
        summary: 'Set the units on hand in a warehouse',
        description: 'Refused (422) below the units already reserved by orders.',
        params: StockParams,
        body: StockInput,
        response: { 200: StockLevel },
      },
    },
    async (req) =>
      toStock(await setStock(deps.db, req.params.id, req.params.warehouse_code, req.body.quantity)),
  );

  app.get(
    '/api/v1/products/:id/stock',
    {
      config: { permission: 'stock:read' },
      schema: {
        tags: ['stock'],
        summary: 'Stock of a product in every warehouse',
        params: IdParams,
        response: { 200: StockList },
      },
    },
    async (req) => {
      if (!(await findProduct(deps.db, req.params.id))) throw AppError.notFound('Product');
      const rows = await listStock(deps.db, req.params.id);
      return { data: rows.map(toStock), has_more: false, next_cursor: null };
    },
  );
};
