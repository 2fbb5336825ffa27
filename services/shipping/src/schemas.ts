/** Request and response schemas (TypeBox). */
import { Type, PageQuery } from '@portico/kit';

const DateTime = Type.String({ format: 'date-time' });
const nullableString = Type.Union([Type.String(), Type.Null()]);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const ShipmentStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('in_transit'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
]);

export const Shipment = Type.Object({
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
});

export const Tracking = Type.Object({
  shipment_id: Type.String(),
  order_id: Type.String(),
  tracking_number: Type.String(),
  status: ShipmentStatus,
  carrier: nullableString,
  history: Type.Array(Type.Object({ status: ShipmentStatus, at: DateTime, note: nullableString })),
});

export const ShipmentQuery = Type.Object({
  ...PageQuery,
  order_id: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(ShipmentStatus),
  tracking_number: Type.Optional(Type.String({ maxLength: 32 })),
  customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Staff and admins only' })),
});

export const DispatchInput = Type.Object({
  carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});
