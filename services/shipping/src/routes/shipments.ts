/** Shipments: read (own; staff and admins all), dispatch and deliver (staff and admins). */
import { PageOf, scopeOf, Type, type ServiceApp, type ServiceDeps, listPage } from '@portico/kit';
import type { ShippingEvents } from '@portico/contracts';
import { moveShipment, trackingOf, visibleShipment } from '../shipment-repository.ts';
import { DispatchInput, IdParams, Shipment, ShipmentQuery, Tracking } from '../schemas.ts';
import type { ShippingDB } from '../tables.ts';
import { toShipment, toTracking } from '../views.ts';

export type Deps = ServiceDeps<ShippingDB, Record<string, unknown>, ShippingEvents>;

export function shipmentRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/shipments',
    {
      config: { permission: 'shipments:read' },
      schema: {
        tags: ['shipments'],
        summary: 'List shipments, newest first (own; staff and admins all)',
        querystring: ShipmentQuery,
        response: { 200: PageOf(Shipment) },
      },
    },
    async (req, reply) => {
      let q = deps.db.selectFrom('shipments').selectAll();
      if (scopeOf(req.caller, 'shipments:read') !== 'all')
        q = q.where('customer_id', '=', req.caller.id ?? '');
      const { order_id, status, tracking_number, customer_id } = req.query;
      if (order_id) q = q.where('order_id', '=', order_id);
      if (status) q = q.where('status', '=', status);
      if (tracking_number) q = q.where('tracking_number', '=', tracking_number.toUpperCase());
      if (customer_id) q = q.where('customer_id', '=', customer_id);
      return listPage(reply, q, { sort: 'id', direction: 'desc' }, toShipment);
    },
  );

  app.get(
    '/api/v1/shipments/:id',
    {
      config: { permission: 'shipments:read' },
      schema: {
        tags: ['shipments'],
        summary: 'Get a shipment',
        params: IdParams,
        response: { 200: Shipment },
      },
    },
    async (req) => toShipment(await visibleShipment(deps.db, req.caller, req.params.id)),
  );

  app.get(
    '/api/v1/shipments/:id/tracking',
    {
      config: { permission: 'shipments:read' },
      schema: {
        tags: ['shipments'],
        summary: 'Tracking history: each status with its time',
        params: IdParams,
        response: { 200: Tracking },
      },
    },
    async (req) => {
      const s = await visibleShipment(deps.db, req.caller, req.params.id);
      return toTracking(s, await trackingOf(deps.db, s.id));
    },
  );

  const action = (
    name: 'dispatch' | 'deliver',
    summary: string,
    body: typeof DispatchInput | ReturnType<typeof Type.Object>,
  ) =>
    app.post(
      `/api/v1/shipments/:id/${name}`,
      {
        config: { permission: `shipments:${name}` },
        schema: { tags: ['shipments'], summary, params: IdParams, body, response: { 200: Shipment } },
      },
      async (req) => {
        const carrier = (req.body as { carrier?: string }).carrier ?? null;
        const row = await deps.tx((trx) =>
          moveShipment(trx, req.caller, req.params.id, name, carrier, (type, data) =>
            deps.publish(trx, type, data, { subject: req.params.id }),
          ),
        );
        return toShipment(row);
      },
    );
  action(
    'dispatch',
    'Dispatch a pending shipment (pending → in_transit); 409 from any other status',
    DispatchInput,
  );
  action(
    'deliver',
    'Mark a shipment delivered (in_transit → delivered); 409 from any other status',
    Type.Object({}),
  );
}
