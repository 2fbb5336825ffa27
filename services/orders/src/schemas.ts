/** Request and response schemas (TypeBox): validation, types and OpenAPI from one source. */
import { Type, PageQuery, type Static } from '@portico/kit';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const Id = Type.String({ minLength: 1, maxLength: 64 });

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. KES' });
/** Integer minor units (docs/api-conventions.md: never floats). */
export const Money = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000_000,
  description: 'Integer minor units',
});
export const Quantity = Type.Integer({ minimum: 1, maximum: 100_000 });
export const Latitude = Type.Number({ minimum: -90, maximum: 90 });
export const Longitude = Type.Number({ minimum: -180, maximum: 180 });
export const WarehouseCode = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$',
  description: 'Stored upper-case',
});

export const IdParams = Type.Object({ id: Id });

// ── warehouses ────────────────────────────────────────────────────────────────────────────
export const WarehouseInput = Type.Object({
  code: WarehouseCode,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  latitude: Latitude,
  longitude: Longitude,
});
export const Warehouse = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  created_at: DateTime,
});

// ── products ──────────────────────────────────────────────────────────────────────────────
const Sku = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const ProductInput = Type.Object({
  sku: Sku,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  price: Money,
  currency: Currency,
});
export const ProductPatch = Type.Object({
  sku: Type.Optional(Sku),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  price: Type.Optional(Money),
  currency: Type.Optional(Currency),
  active: Type.Optional(Type.Boolean()),
});
export const Product = Type.Object({
  id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  description: nullable(Type.String()),
  price: Type.Integer(),
  currency: Type.String(),
  active: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime,
});
export const ProductQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Matches name or SKU' })),
  active: Type.Optional(Type.Boolean({ description: 'Staff only; customers see active products' })),
});

// ── stock ─────────────────────────────────────────────────────────────────────────────────
export const StockParams = Type.Object({ id: Id, warehouse_code: WarehouseCode });
export const StockInput = Type.Object({
  quantity: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Units on hand' }),
});
export const StockLevel = Type.Object({
  product_id: Type.String(),
  warehouse: Type.String({ description: 'Warehouse code' }),
  quantity: Type.Integer({ description: 'Units on hand' }),
  reserved: Type.Integer({ description: 'Units held by confirmed orders not yet dispatched' }),
  available: Type.Integer({ description: 'quantity − reserved' }),
  updated_at: DateTime,
});
export const StockList = Type.Object({
  data: Type.Array(StockLevel),
  has_more: Type.Boolean(),
  next_cursor: Type.Null(),
});

// ── carts ─────────────────────────────────────────────────────────────────────────────────
export const CartItemInput = Type.Object({ product_id: Id, quantity: Quantity });
export const CartItemPatch = Type.Object({ quantity: Quantity });
export const CartItemParams = Type.Object({ id: Id, product_id: Id });
export const CartLine = Type.Object({
  product_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: Type.Integer(),
  currency: Type.String(),
  line_total: Type.Integer(),
});
export const Cart = Type.Object({
  id: Type.String(),
  customer_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('ordered')]),
  order_id: nullable(Type.String()),
  items: Type.Array(CartLine),
  total: Type.Union([Type.Integer(), Type.Null()], { description: 'Null when empty or mixing currencies' }),
  currency: nullable(Type.String()),
  created_at: DateTime,
  updated_at: DateTime,
});
export const CartQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('ordered')])),
});

// ── orders ────────────────────────────────────────────────────────────────────────────────
export const ShippingAddressInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  line1: Type.String({ minLength: 1, maxLength: 300 }),
  city: Type.String({ minLength: 1, maxLength: 100 }),
  country: Type.String({ minLength: 2, maxLength: 100, description: 'ISO 3166-1 alpha-2 code or name' }),
  postal_code: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
  latitude: Type.Optional(Type.Union([Latitude, Type.Null()])),
  longitude: Type.Optional(Type.Union([Longitude, Type.Null()])),
});
export type ShippingAddressInput = Static<typeof ShippingAddressInput>;
export const OrderInput = Type.Object({ cart_id: Id, shipping_address: ShippingAddressInput });

export const ShippingAddress = Type.Object({
  name: Type.String(),
  line1: Type.String(),
  city: Type.String(),
  country: Type.String(),
  postal_code: nullable(Type.String()),
  latitude: Type.Union([Type.Number(), Type.Null()]),
  longitude: Type.Union([Type.Number(), Type.Null()]),
});
export const OrderItem = Type.Object({
  product_id: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unit_price: Type.Integer(),
});
export const OrderStatus = Type.Union([
  Type.Literal('confirmed'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
]);
export const Order = Type.Object({
  id: Type.String(),
  customer_id: Type.String(),
  status: OrderStatus,
  items: Type.Array(OrderItem),
  total: Type.Integer(),
  currency: Type.String(),
  warehouse: Type.Object({
    code: Type.String(),
    name: Type.String(),
    latitude: Type.Number(),
    longitude: Type.Number(),
  }),
  shipping_address: ShippingAddress,
  tracking_number: nullable(Type.String()),
  created_at: DateTime,
  updated_at: DateTime,
  shipped_at: nullable(DateTime),
  delivered_at: nullable(DateTime),
  cancelled_at: nullable(DateTime),
});
export const OrderQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(OrderStatus),
  customer_id: Type.Optional(Type.String({ maxLength: 64, description: 'Staff and admins only' })),
});
