/**
 * Shipments: created from `order.confirmed`, cancelled with their order while pending, moved
 * along by staff. Every status change writes a tracking step and publishes its event in the
 * same transaction.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { AppError, can, type Caller } from '@portico/kit';
import type { OrderConfirmedData, ShipmentData, ShippingEvents } from '@portico/contracts';
import { nextStatus, type ShipmentAction } from './domain/shipment-status.ts';
import { newTrackingNumber } from './domain/tracking-number.ts';
import {
  shipmentData,
  SHIPMENT_CANCELLED,
  SHIPMENT_CREATED,
  SHIPMENT_DELIVERED,
  SHIPMENT_DISPATCHED,
} from './events.ts';
import type { ParcelItem, ShipmentsTable, ShipmentStatus, ShippingDB } from './tables.ts';

type Db = Kysely<ShippingDB>;
type Trx = Transaction<ShippingDB>;
export type ShipmentRow = Selectable<ShipmentsTable>;
/** Writes an event to the outbox in the current transaction (subject: the shipment id). */
export type Publish = (type: keyof ShippingEvents, data: ShipmentData) => Promise<unknown>;

const EVENT_OF: Record<ShipmentAction, keyof ShippingEvents> = {
  dispatch: SHIPMENT_DISPATCHED,
  deliver: SHIPMENT_DELIVERED,
  cancel: SHIPMENT_CANCELLED,
};

async function track(
  trx: Trx,
  shipmentId: string,
  status: ShipmentStatus,
  note: string | null,
): Promise<void> {
  await trx.insertInto('shipment_tracking').values({ shipment_id: shipmentId, status, note }).execute();
}

/**
 * The shipment for a confirmed order, created once: a second `order.confirmed` for the same
 * order (a re-publish with a new event id) finds it and does nothing. Returns null when the
 * order is already known to be cancelled or already has its shipment.
 */
export async function createForOrder(
  trx: Trx,
  order: OrderConfirmedData,
  publish: Publish,
): Promise<ShipmentRow | null> {
  const cancelled = await trx
    .selectFrom('cancelled_orders')
    .select('order_id')
    .where('order_id', '=', order.order_id)
    .executeTakeFirst();
  if (cancelled) return null;
  const items: ParcelItem[] = order.items.map((i) => ({
    product_id: i.product_id,
    sku: i.sku,
    name: i.name,
    quantity: i.quantity,
  }));
  for (let attempt = 0; attempt < 5; attempt++) {
    // ON CONFLICT DO NOTHING covers both unique keys: the order (already shipped → stop) and the
    // tracking number (a collision → draw another). A unique violation would abort the transaction.
    const row = await trx
      .insertInto('shipments')
      .values({
        id: uuidv7(),
        order_id: order.order_id,
        customer_id: order.customer_id,
        status: 'pending',
        tracking_number: newTrackingNumber(),
        carrier: null,
        origin: JSON.stringify(order.warehouse),
        destination: JSON.stringify(order.shipping_address),
        items: JSON.stringify(items),
      })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) {
      await track(trx, row.id, 'pending', `awaiting dispatch from ${order.warehouse.code}`);
      await publish(SHIPMENT_CREATED, shipmentData(row));
      return row;
    }
    const existing = await trx
      .selectFrom('shipments')
      .select('id')
      .where('order_id', '=', order.order_id)
      .executeTakeFirst();
    if (existing) return null;
  }
  throw new Error('could not draw a unique tracking number in 5 attempts');
}

/** Applies `action` to a locked shipment, or throws 409 `invalid_state`. */
async function apply(
  trx: Trx,
  s: ShipmentRow,
  action: ShipmentAction,
  carrier: string | null,
  publish: Publish,
): Promise<ShipmentRow> {
  const to = nextStatus(s.status, action);
  if (!to) {
    throw new AppError(
      'invalid_state',
      `A ${s.status.replace('_', ' ')} shipment cannot be ${action === 'dispatch' ? 'dispatched' : action === 'deliver' ? 'delivered' : 'cancelled'}`,
      {
        extensions: { current_status: s.status },
      },
    );
  }
  const stamp =
    action === 'dispatch'
      ? { dispatched_at: sql<Date>`now()`, carrier: carrier ?? s.carrier }
      : action === 'deliver'
        ? { delivered_at: sql<Date>`now()` }
        : { cancelled_at: sql<Date>`now()` };
  const updated = await trx
    .updateTable('shipments')
    .set({ status: to, updated_at: sql<Date>`now()`, ...stamp })
    .where('id', '=', s.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const note =
    action === 'dispatch'
      ? updated.carrier
        ? `handed to ${updated.carrier}`
        : 'dispatched'
      : action === 'deliver'
        ? 'delivered'
        : 'order cancelled';
  await track(trx, s.id, to, note);
  await publish(EVENT_OF[action], shipmentData(updated));
  return updated;
}

/**
 * Cancels the shipment of a cancelled order while it is pending. Returns what happened, for
 * the log: a shipment already on its way stays as it is (the order was cancelled in the window
 * before `shipment.dispatched` reached orders; see the README).
 */
export async function cancelForOrder(
  trx: Trx,
  orderId: string,
  publish: Publish,
): Promise<'cancelled' | 'remembered' | 'too_late' | 'already'> {
  const s = await trx
    .selectFrom('shipments')
    .selectAll()
    .where('order_id', '=', orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!s) {
    await trx
      .insertInto('cancelled_orders')
      .values({ order_id: orderId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return 'remembered';
  }
  if (s.status === 'cancelled') return 'already';
  if (s.status !== 'pending') return 'too_late';
  await apply(trx, s, 'cancel', null, publish);
  return 'cancelled';
}

/** The shipment if `caller` may read it; otherwise 404 (customers see only their own). */
export async function visibleShipment(
  db: Db | Trx,
  caller: Caller,
  id: string,
  lock = false,
): Promise<ShipmentRow> {
  let q = db.selectFrom('shipments').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const s = await q.executeTakeFirst();
  if (!s || !can(caller, 'shipments:read', { ownerId: s.customer_id })) throw AppError.notFound('Shipment');
  return s;
}

/** Staff moving a shipment along (dispatch, deliver). */
export async function moveShipment(
  trx: Trx,
  caller: Caller,
  id: string,
  action: 'dispatch' | 'deliver',
  carrier: string | null,
  publish: Publish,
): Promise<ShipmentRow> {
  const s = await visibleShipment(trx, caller, id, true);
  return apply(trx, s, action, carrier, publish);
}

export async function trackingOf(db: Db, shipmentId: string) {
  return db
    .selectFrom('shipment_tracking')
    .selectAll()
    .where('shipment_id', '=', shipmentId)
    .orderBy('seq')
    .execute();
}
