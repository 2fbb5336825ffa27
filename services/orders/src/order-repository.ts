/**
 * Orders: placing one from a cart (stock reserved in the same transaction as the order and its
 * `order.confirmed` outbox row), cancelling, and following the shipment.
 *
 * Concurrency. Placing an order locks its cart row (a cart orders once), then the stock rows
 * of every product in the cart in every warehouse, in (product_id, warehouse_id) order. The
 * warehouse is chosen from those locked figures, so two buyers racing for the last unit
 * serialise on its row: the second sees it reserved and gets 409 `out_of_stock`. Every
 * writer of stock rows takes them in the same order, so there is no lock cycle; PostgreSQL
 * could still abort a transaction to break a deadlock, which `retryTransient` retries. The
 * reservation is also a conditional update and a CHECK constraint keeps `reserved <= quantity`:
 * stock cannot go negative even if this reasoning were wrong.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, can, type Caller } from '@portico/kit';
import type { Deps } from './deps.ts';
import { cartLines, visibleCart } from './cart-repository.ts';
import { retryTransient } from './db-errors.ts';
import { chooseWarehouse, resolveDestination, type Availability, type Line } from './domain/fulfilment.ts';
import { canCancel, stepsTowards, type OrderStatus } from './domain/order-status.ts';
import { priceLines } from './domain/pricing.ts';
import {
  ORDER_CANCELLED,
  ORDER_CONFIRMED,
  orderConfirmedData,
  orderStatusData,
  type OrderStatusEventData,
} from './events.ts';
import type { ShippingAddressInput } from './schemas.ts';
import type { OrdersDB, ShippingAddress, WarehouseSnapshot } from './tables.ts';
import { toAddress, toOrder, type OrderItemRow, type OrderRow, type OrderView } from './views.ts';

type Db = Kysely<OrdersDB>;
type Trx = Transaction<OrdersDB>;
type Publish = (type: 'order.shipped' | 'order.delivered', data: OrderStatusEventData) => Promise<unknown>;

export async function itemsOf(
  db: Db | Trx,
  orderIds: readonly string[],
): Promise<Map<string, OrderItemRow[]>> {
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

export async function orderView(db: Db | Trx, order: OrderRow): Promise<OrderView> {
  return toOrder(order, (await itemsOf(db, [order.id])).get(order.id) ?? []);
}

/** The order if `caller` may see it for `permission`; otherwise 404. */
export async function visibleOrder(
  db: Db | Trx,
  caller: Caller,
  id: string,
  permission: string,
  lock = false,
): Promise<OrderRow> {
  let q = db.selectFrom('orders').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const order = await q.executeTakeFirst();
  if (!order || !can(caller, permission, { ownerId: order.customer_id })) throw AppError.notFound('Order');
  return order;
}

/**
 * Locks and reads the available units of `productIds` in every warehouse that stocks them,
 * with the warehouse's site (see the header for the lock order).
 */
async function lockAvailability(trx: Trx, productIds: readonly string[]) {
  const rows = await trx
    .selectFrom('stock')
    .innerJoin('warehouses', 'warehouses.id', 'stock.warehouse_id')
    .select([
      'stock.product_id',
      'stock.warehouse_id',
      'stock.quantity',
      'stock.reserved',
      'warehouses.code',
      'warehouses.name',
      'warehouses.latitude',
      'warehouses.longitude',
    ])
    .where('stock.product_id', 'in', productIds)
    .orderBy('stock.product_id')
    .orderBy('stock.warehouse_id')
    .forUpdate('stock')
    .execute();
  const availability = new Map<string, Map<string, number>>();
  const sites = new Map<
    string,
    { id: string; code: string; name: string; latitude: number; longitude: number }
  >();
  for (const r of rows) {
    let m = availability.get(r.warehouse_id);
    if (!m) availability.set(r.warehouse_id, (m = new Map()));
    m.set(r.product_id, r.quantity - r.reserved);
    sites.set(r.warehouse_id, {
      id: r.warehouse_id,
      code: r.code,
      name: r.name,
      latitude: r.latitude,
      longitude: r.longitude,
    });
  }
  return { availability: availability as Availability, warehouses: [...sites.values()] };
}

/** Moves stock of an order's lines in one warehouse, in product order (the lock order). */
async function adjustStock(
  trx: Trx,
  warehouseId: string,
  lines: readonly Line[],
  change: 'reserve' | 'release' | 'ship',
): Promise<void> {
  for (const l of [...lines].sort((a, b) => (a.product_id < b.product_id ? -1 : 1))) {
    let q = trx
      .updateTable('stock')
      .where('product_id', '=', l.product_id)
      .where('warehouse_id', '=', warehouseId);
    if (change === 'reserve') {
      q = q
        .set({ reserved: sql<number>`reserved + ${l.quantity}` })
        .where(sql<boolean>`quantity - reserved >= ${l.quantity}`);
    } else if (change === 'release') {
      q = q.set({ reserved: sql<number>`reserved - ${l.quantity}` });
    } else {
      // Dispatched: the units leave the warehouse and stop being reserved.
      q = q.set({
        reserved: sql<number>`reserved - ${l.quantity}`,
        quantity: sql<number>`quantity - ${l.quantity}`,
      });
    }
    const res = await q.set({ updated_at: sql<Date>`now()` }).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      // Cannot happen while the rows are locked (reserve) or the reservation exists; refuse loudly.
      throw new AppError('out_of_stock', `Stock of ${l.product_id} changed while ordering`);
    }
  }
}

export interface PlaceOrderInput {
  cart_id: string;
  shipping_address: ShippingAddressInput;
}

export async function placeOrder(deps: Deps, caller: Caller, input: PlaceOrderInput): Promise<OrderView> {
  const address = input.shipping_address;
  const hasLat = typeof address.latitude === 'number';
  if (hasLat !== (typeof address.longitude === 'number')) {
    const field = hasLat ? 'longitude' : 'latitude';
    throw AppError.validation([
      { field: `shipping_address.${field}`, code: 'required', message: 'latitude and longitude go together' },
    ]);
  }
  return retryTransient(() =>
    deps.tx(async (trx) => {
      const cart = await visibleCart(trx, caller, input.cart_id, 'carts:update', true).catch(
        (err: unknown) => {
          if (err instanceof AppError && err.code === 'not_found') {
            throw AppError.validation([
              { field: 'cart_id', code: 'not_found', message: 'is not one of your carts' },
            ]);
          }
          throw err;
        },
      );
      if (cart.status !== 'open') {
        throw new AppError('conflict', 'This cart has already been ordered', {
          extensions: { order_id: cart.order_id },
        });
      }
      const lines = await cartLines(trx, cart.id);
      const priced = priceLines(lines.map((l) => ({ ...l, unit_price: l.price })));
      if (!priced.ok) throw AppError.validation(priced.errors);

      const { availability, warehouses } = await lockAvailability(
        trx,
        lines.map((l) => l.product_id),
      );
      const choice = chooseWarehouse(warehouses, availability, lines, resolveDestination(address));
      if (!choice)
        throw new AppError(
          'out_of_stock',
          'No warehouse holds every item of this cart in the quantity asked for',
        );
      const w = choice.warehouse;
      await adjustStock(trx, w.id, lines, 'reserve');

      const id = uuidv7();
      const snapshot: WarehouseSnapshot = {
        code: w.code,
        name: w.name,
        latitude: w.latitude,
        longitude: w.longitude,
      };
      const shipping: ShippingAddress = toAddress(address);
      const order = await trx
        .insertInto('orders')
        .values({
          id,
          customer_id: cart.customer_id,
          cart_id: cart.id,
          status: 'confirmed',
          total: priced.total,
          currency: priced.currency,
          warehouse_id: w.id,
          warehouse: JSON.stringify(snapshot),
          shipping_address: JSON.stringify(shipping),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const items: OrderItemRow[] = lines.map((l) => ({
        order_id: id,
        product_id: l.product_id,
        sku: l.sku,
        name: l.name,
        quantity: l.quantity,
        unit_price: l.price,
      }));
      await trx.insertInto('order_items').values(items).execute();
      await trx
        .updateTable('carts')
        .set({ status: 'ordered', order_id: id, updated_at: sql<Date>`now()` })
        .where('id', '=', cart.id)
        .execute();
      const view = toOrder(order, items);
      await deps.publish(trx, ORDER_CONFIRMED, orderConfirmedData(view), { subject: id });
      return view;
    }),
  );
}

/** confirmed → cancelled, releasing the reserved stock; anything later → 409 `invalid_state`. */
export async function cancelOrder(deps: Deps, caller: Caller, id: string): Promise<OrderView> {
  return retryTransient(() =>
    deps.tx(async (trx) => {
      const order = await visibleOrder(trx, caller, id, 'orders:cancel', true);
      if (!canCancel(order.status)) {
        throw new AppError('invalid_state', `An order that is ${order.status} cannot be cancelled`, {
          extensions: { current_status: order.status },
        });
      }
      const items = (await itemsOf(trx, [id])).get(id) ?? [];
      await adjustStock(trx, order.warehouse_id, items, 'release');
      const updated = await trx
        .updateTable('orders')
        .set({ status: 'cancelled', cancelled_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await deps.publish(trx, ORDER_CANCELLED, orderStatusData(updated), { subject: id });
      return toOrder(updated, items);
    }),
  );
}

/**
 * Moves an order towards `target` because its shipment moved (consumers.ts). Runs in the
 * consumer's transaction; publishes `order.shipped` / `order.delivered` for each step taken.
 * Returns the steps taken, or null when the order is unknown or cancelled.
 */
export async function followShipment(
  trx: Trx,
  orderId: string,
  target: 'shipped' | 'delivered',
  trackingNumber: string | null,
  publish: Publish,
): Promise<OrderStatus[] | null> {
  const order = await trx
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!order) return null;
  if (trackingNumber && !order.tracking_number) {
    await trx
      .updateTable('orders')
      .set({ tracking_number: trackingNumber })
      .where('id', '=', orderId)
      .execute();
    order.tracking_number = trackingNumber;
  }
  const steps = stepsTowards(order.status, target);
  if (!steps) return null;
  let current = order;
  for (const step of steps) {
    if (step === 'shipped') {
      const items = (await itemsOf(trx, [orderId])).get(orderId) ?? [];
      await adjustStock(trx, order.warehouse_id, items, 'ship');
    }
    const stamp = step === 'shipped' ? { shipped_at: sql<Date>`now()` } : { delivered_at: sql<Date>`now()` };
    current = await trx
      .updateTable('orders')
      .set({ status: step, updated_at: sql<Date>`now()`, ...stamp })
      .where('id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publish(step === 'shipped' ? 'order.shipped' : 'order.delivered', orderStatusData(current));
  }
  return steps;
}
