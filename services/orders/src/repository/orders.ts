/** SQL for orders and their items (the items are a copy of the cart's lines, frozen). */
import { sql } from 'kysely';
import type { Db, Trx } from '../deps.ts';
import type { OrderItemRow, OrderRow, ShippingAddress, WarehouseSnapshot } from '../tables.ts';

export interface OrderValues {
  id: string;
  customer_id: string;
  cart_id: string;
  total: number;
  currency: string;
  warehouse_id: string;
  warehouse: WarehouseSnapshot;
  shipping_address: ShippingAddress;
}

/** Inserts a `confirmed` order. */
export async function insertOrder(trx: Trx, values: OrderValues): Promise<OrderRow> {
  return trx
    .insertInto('orders')
    .values({
      ...values,
      status: 'confirmed',
      warehouse: JSON.stringify(values.warehouse),
      shipping_address: JSON.stringify(values.shipping_address),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertOrderItems(trx: Trx, items: readonly OrderItemRow[]): Promise<void> {
  await trx
    .insertInto('order_items')
    .values([...items])
    .execute();
}

export async function findOrder(
  db: Db,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<OrderRow | undefined> {
  let q = db.selectFrom('orders').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The items of several orders in one query, by order id (every id present), each by product id. */
export async function itemsOf(db: Db, orderIds: readonly string[]): Promise<Map<string, OrderItemRow[]>> {
  const out = new Map<string, OrderItemRow[]>(orderIds.map((id) => [id, []]));
  if (orderIds.length === 0) return out;
  const rows = await db
    .selectFrom('order_items')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('product_id')
    .execute();
  for (const r of rows) out.get(r.order_id)?.push(r);
  return out;
}

export async function itemsOfOrder(db: Db, orderId: string): Promise<OrderItemRow[]> {
  return (await itemsOf(db, [orderId])).get(orderId) ?? [];
}

/**
 * Orders for `paginate`: those of `ownerId` (the caller's own, when they may not read all) and
 * of `customerId` (a filter) when given, with `status` when given.
 */
export function ordersQuery(
  db: Db,
  filter: {
    ownerId?: string | undefined;
    customerId?: string | undefined;
    status?: OrderRow['status'] | undefined;
  },
) {
  let q = db.selectFrom('orders').selectAll();
  if (filter.ownerId !== undefined) q = q.where('customer_id', '=', filter.ownerId);
  if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q;
}

export async function setTrackingNumber(trx: Trx, orderId: string, trackingNumber: string): Promise<void> {
  await trx
    .updateTable('orders')
    .set({ tracking_number: trackingNumber })
    .where('id', '=', orderId)
    .execute();
}

/** Moves an order to `status`, stamping the matching `…_at` column; returns the order. */
export async function setOrderStatus(
  trx: Trx,
  orderId: string,
  status: 'shipped' | 'delivered' | 'cancelled',
): Promise<OrderRow> {
  const now = sql<Date>`now()`;
  const stamp =
    status === 'shipped'
      ? { shipped_at: now }
      : status === 'delivered'
        ? { delivered_at: now }
        : { cancelled_at: now };
  return trx
    .updateTable('orders')
    .set({ status, updated_at: now, ...stamp })
    .where('id', '=', orderId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
