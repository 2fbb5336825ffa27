/**
 * Shipments: read (own; staff and admins all), dispatch and deliver (staff and admins). The
 * TypeBox schemas validate input and document the routes; handlers stay thin.
 */
import { mapPage, PageOf, PageQuery, paginate, sendPage, Type, listOwner } from '@portico/kit';
import { visibleShipment } from '../commands/loaders.ts';
import { moveShipment } from '../commands/move-shipment.ts';
import type { RouteModule } from '../deps.ts';
import { shipmentsQuery, trackingOf, trackingOfMany } from '../repository/shipments.ts';
import { toShipment, toTracking, toTrackingStep } from '../views.ts';

const DateTime = Type.String({ format: 'date-time' });
const nullableString = Type.Union([Type.String(), Type.Null()]);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

const ShipmentStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('in_transit'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
]);

const TrackingStep = Type.Object({ status: ShipmentStatus, at: DateTime, note: nullableString });

const ShipmentFields = {
  id: Type.String(),
  order_id: Type.String(),
  customer_id: Type.String(),
  status: ShipmentStatus,
  tracking_number: Type.String({ description: '`PT` + 10 characters' }),
  carrier: nullableString,
  origin: Type.Object(
    { code: Type.String(), name: Type.String(), latitude: Type.Number(), longitude: Type.Number() },
    { description: 'The warehouse' },
  ),
  destination: Type.Object(
    {
      name: Type.String(),
      line1: Type.String(),
      city: Type.String(),
      country: Type.String(),
      postal_code: nullableString,
      latitude: Type.Union([Type.Number(), Type.Null()]),
      longitude: Type.Union([Type.Number(), Type.Null()]),
    },
    { description: "The order's shipping address" },
  ),
  items: Type.Array(
    Type.Object({
      product_id: Type.String(),
      sku: Type.String(),
      name: Type.String(),
      quantity: Type.Integer(),
    }),
  ),
  created_at: DateTime,
  updated_at: DateTime,
  dispatched_at: Type.Union([DateTime, Type.Null()]),
  delivered_at: Type.Union([DateTime, Type.Null()]),
  cancelled_at: Type.Union([DateTime, Type.Null()]),
};
const Shipment = Type.Object(ShipmentFields);
/** A listed shipment: with `include=tracking`, its tracking history too. */
const ListedShipment = Type.Object({
  ...ShipmentFields,
  tracking: Type.Optional(
    Type.Array(TrackingStep, { description: 'With `include=tracking`: the history, oldest step first' }),
  ),
});

const Tracking = Type.Object({
  shipment_id: Type.String(),
  order_id: Type.String(),
  tracking_number: Type.String(),
  status: ShipmentStatus,
  carrier: nullableString,
  history: Type.Array(TrackingStep),
});

/** How many orders one list request may name (`order_id=a&order_id=b…`). */
const MAX_ORDER_IDS = 100;

const ShipmentQuery = Type.Object({
  ...PageQuery,
  order_id: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: MAX_ORDER_IDS,
      description: `Shipments of these orders: repeat the parameter for several (at most ${MAX_ORDER_IDS})`,
    }),
  ),
  include: Type.Optional(
    Type.Literal('tracking', { description: '`tracking`: each shipment with its tracking history' }),
  ),
  status: Type.Optional(ShipmentStatus),
  tracking_number: Type.Optional(Type.String({ maxLength: 32 })),
  customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Staff and admins only' })),
});

const DispatchInput = Type.Object({
  carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const shipmentRoutes: RouteModule = (app, deps) => {
  app.get(
    '/api/v1/shipments',
    {
      config: { permission: 'shipments:read' },
      schema: {
        tags: ['shipments'],
        summary: 'List shipments, newest first (own; staff and admins all)',
        querystring: ShipmentQuery,
        response: { 200: PageOf(ListedShipment) },
      },
    },
    async (req, reply) => {
      const { order_id, status, tracking_number, customer_id, include } = req.query;
      const q = shipmentsQuery(deps.db, {
        ownerId: listOwner(req.caller, 'shipments:read'),
        orderIds: order_id,
        status,
        trackingNumber: tracking_number?.toUpperCase(),
        customerId: customer_id,
      });
      const page = await paginate(q, {
        limit: req.query.limit,
        cursor: req.query.cursor,
        sort: 'id',
        direction: 'desc',
      });
      if (include !== 'tracking') return sendPage(reply, mapPage(page, toShipment));
      // One query for the whole page's tracking steps.
      const steps = await trackingOfMany(
        deps.db,
        page.data.map((s) => s.id),
      );
      return sendPage(
        reply,
        mapPage(page, (s) => ({ ...toShipment(s), tracking: (steps.get(s.id) ?? []).map(toTrackingStep) })),
      );
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
        return toShipment(await moveShipment(deps, req.caller, req.params.id, name, carrier));
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
};
