/** Stock levels per product and warehouse (admin, staff). */
import { Type } from '@portico/kit';
import { loadProduct } from '../commands/loaders.ts';
import { setStock } from '../commands/set-stock.ts';
import type { RouteModule } from '../deps.ts';
import { listStock } from '../repository/stock.ts';
import { toStock } from '../views.ts';
import { DateTime, Id, IdParams, WarehouseCode } from './common.ts';

const StockParams = Type.Object({ id: Id, warehouse_code: WarehouseCode });
const StockInput = Type.Object({
  quantity: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Units on hand' }),
});
const StockLevel = Type.Object({
  product_id: Type.String(),
  warehouse: Type.String({ description: 'Warehouse code' }),
  quantity: Type.Integer({ description: 'Units on hand' }),
  reserved: Type.Integer({ description: 'Units held by confirmed orders not yet dispatched' }),
  available: Type.Integer({ description: 'quantity − reserved' }),
  updated_at: DateTime,
});
const StockList = Type.Object({
  data: Type.Array(StockLevel),
  has_more: Type.Boolean(),
  next_cursor: Type.Null(),
});

export const stockRoutes: RouteModule = (app, deps) => {
  app.put(
    '/api/v1/products/:id/stock/:warehouse_code',
    {
      config: { permission: 'stock:update', ifMatch: 'required', resourceParam: 'id' },
      schema: {
        tags: ['stock'],
        summary: 'Set the units on hand in a warehouse',
        description: 'Refused (422) below the units already reserved by orders.',
        params: StockParams,
        body: StockInput,
        response: { 200: StockLevel },
      },
    },
    async (req) => toStock(await setStock(deps, req.params.id, req.params.warehouse_code, req.body.quantity)),
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
      await loadProduct(deps.db, req.params.id);
      const rows = await listStock(deps.db, req.params.id);
      return { data: rows.map(toStock), has_more: false, next_cursor: null };
    },
  );
};
