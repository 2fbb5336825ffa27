/** Rows to their public shapes (the schemas in routes/): ISO times, snake_case, nothing internal. */
import type {
  CartLineRow,
  CartRow,
  OrderItemRow,
  OrderRow,
  ProductRow,
  ShippingAddress,
  StockRow,
  WarehouseRow,
} from './tables.ts';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
/** Money as the API shows it (version 2026-12-01 on): minor units with their currency. */
export const money = (amount: number, currency: string) => ({ amount, currency });

const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

export function toWarehouse(w: WarehouseRow) {
  return {
    id: w.id,
    code: w.code,
    name: w.name,
    latitude: w.latitude,
    longitude: w.longitude,
    created_at: iso(w.created_at),
  };
}

export function toProduct(p: ProductRow) {
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    price: money(p.price, p.currency),
    active: p.active,
    created_at: iso(p.created_at),
    updated_at: iso(p.updated_at),
  };
}

export function toStock(s: StockRow & { code: string }) {
  return {
    product_id: s.product_id,
    warehouse: s.code,
    quantity: s.quantity,
    reserved: s.reserved,
    available: s.quantity - s.reserved,
    updated_at: iso(s.updated_at),
  };
}

export function toAddress(a: ShippingAddress) {
  return {
    name: a.name,
    line1: a.line1,
    city: a.city,
    country: a.country,
    postal_code: a.postal_code ?? null,
    latitude: a.latitude ?? null,
    longitude: a.longitude ?? null,
  };
}

/** A cart with its lines; `total` is null when it is empty or mixes currencies. */
export function toCart(cart: CartRow, lines: readonly CartLineRow[]) {
  const currencies = new Set(lines.map((l) => l.currency));
  const single = currencies.size === 1;
  return {
    id: cart.id,
    customer_id: cart.customer_id,
    status: cart.status,
    order_id: cart.order_id,
    items: lines.map((l) => ({
      product_id: l.product_id,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unit_price: money(l.price, l.currency),
      line_total: money(l.price * l.quantity, l.currency),
    })),
    total: single
      ? money(
          lines.reduce((s, l) => s + l.price * l.quantity, 0),
          [...currencies][0]!,
        )
      : null,
    created_at: iso(cart.created_at),
    updated_at: iso(cart.updated_at),
  };
}

export function toOrderItem(i: OrderItemRow, currency: string) {
  return {
    product_id: i.product_id,
    sku: i.sku,
    name: i.name,
    quantity: i.quantity,
    unit_price: money(i.unit_price, currency),
  };
}

export function toOrder(o: OrderRow, items: readonly OrderItemRow[]) {
  return {
    id: o.id,
    customer_id: o.customer_id,
    status: o.status,
    items: items.map((i) => toOrderItem(i, o.currency)),
    total: money(o.total, o.currency),
    warehouse: o.warehouse,
    shipping_address: toAddress(o.shipping_address),
    tracking_number: o.tracking_number,
    created_at: iso(o.created_at),
    updated_at: iso(o.updated_at),
    shipped_at: isoOrNull(o.shipped_at),
    delivered_at: isoOrNull(o.delivered_at),
    cancelled_at: isoOrNull(o.cancelled_at),
  };
}
export type OrderView = ReturnType<typeof toOrder>;
