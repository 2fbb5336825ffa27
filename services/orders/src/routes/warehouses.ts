/** Warehouses: where stock lives and orders ship from (admin, staff). */
import { AppError, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import { createWarehouse } from '../catalogue-repository.ts';
import { IdParams, Warehouse, WarehouseInput } from '../schemas.ts';
import { toWarehouse } from '../views.ts';
import type { RouteModule } from '../deps.ts';

export const warehouseRoutes: RouteModule = (app, deps) => {
  app.post(
    '/api/v1/warehouses',
    {
      config: { permission: 'warehouses:create' },
      schema: {
        tags: ['warehouses'],
        summary: 'Create a warehouse',
        body: WarehouseInput,
        response: { 201: Warehouse },
      },
    },
    async (req, reply) => {
      const w = toWarehouse(await createWarehouse(deps.db, req.body));
      return reply.code(201).header('location', `/api/v1/warehouses/${w.id}`).send(w);
    },
  );

  app.get(
    '/api/v1/warehouses',
    {
      config: { permission: 'warehouses:read' },
      schema: {
        tags: ['warehouses'],
        summary: 'List warehouses by code',
        querystring: Type.Object({ ...PageQuery }),
        response: { 200: PageOf(Warehouse) },
      },
    },
    async (_req, reply) => {
      return listPage(
        reply,
        deps.db.selectFrom('warehouses').selectAll(),
        { sort: 'code', direction: 'asc' },
        toWarehouse,
      );
    },
  );

  app.get(
    '/api/v1/warehouses/:id',
    {
      config: { permission: 'warehouses:read' },
      schema: {
        tags: ['warehouses'],
        summary: 'Get a warehouse',
        params: IdParams,
        response: { 200: Warehouse },
      },
    },
    async (req) => {
      const w = await deps.db
        .selectFrom('warehouses')
        .selectAll()
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!w) throw AppError.notFound('Warehouse');
      return toWarehouse(w);
    },
  );
};
