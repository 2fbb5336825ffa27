/** Warehouses: where stock lives and orders ship from (admin, staff). */
import { PageOf, PageQuery, Type, listPage } from '@portico/kit';
import { loadWarehouse } from '../commands/loaders.ts';
import { createWarehouse } from '../commands/manage-catalogue.ts';
import type { RouteModule } from '../deps.ts';
import { warehousesQuery } from '../repository/warehouses.ts';
import { toWarehouse } from '../views.ts';
import { DateTime, IdParams, Latitude, Longitude, WarehouseCode } from './common.ts';

const WarehouseInput = Type.Object({
  code: WarehouseCode,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  latitude: Latitude,
  longitude: Longitude,
});
const Warehouse = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  created_at: DateTime,
});

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
      const w = toWarehouse(await createWarehouse(deps, req.body));
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
    async (_req, reply) =>
      listPage(reply, warehousesQuery(deps.db), { sort: 'code', direction: 'asc' }, toWarehouse),
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
    async (req) => toWarehouse(await loadWarehouse(deps.db, req.params.id)),
  );
};
