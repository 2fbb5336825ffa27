/**
 * SQL for shipments, their tracking history, and the orders known to be cancelled before
 * their shipment existed. `order_id` and `tracking_number` are unique.
 */
import { sql } from 'kysely';
import type { Db, Trx } from '../deps.ts';
import type { StatusAfterAction } from '../domain/shipment-status.ts';
import type { Origin, ParcelItem, ShipmentRow, ShipmentStatus, TrackingStepRow } from '../tables.ts';
import type { ShippingAddressData } from '@portico/contracts';

export interface ShipmentValues {
  id: string;
  order_id: string;
  customer_id: string;
  tracking_number: string;
  origin: Origin;
  destination: ShippingAddressData;
  items: ParcelItem[];
}

/**
 * Inserts a `pending` shipment unless one of its unique keys is taken (its order already has a
 * shipment, or the tracking number was drawn before): then nothing, and the result is undefined.
 * ON CONFLICT DO NOTHING, because a unique violation would abort the transaction.
 */
export async function insertShipmentIfNew(
  trx: Trx,
  values: ShipmentValues,
): Promise<ShipmentRow | undefined> {
  return trx
    .insertInto('shipments')
    .values({
      id: values.id,
      order_id: values.order_id,
      customer_id: values.customer_id,
      status: 'pending',
      tracking_number: values.tracking_number,
      carrier: null,
      origin: JSON.stringify(values.origin),
      destination: JSON.stringify(values.destination),
      items: JSON.stringify(values.items),
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findShipment(
  db: Db,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<ShipmentRow | undefined> {
  let q = db.selectFrom('shipments').selectAll().where('id', '=', id);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findShipmentOfOrder(
  db: Db,
  orderId: string,
  opts: { lock?: boolean } = {},
): Promise<ShipmentRow | undefined> {
  let q = db.selectFrom('shipments').selectAll().where('order_id', '=', orderId);
  if (opts.lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function orderHasShipment(db: Db, orderId: string): Promise<boolean> {
  const row = await db
    .selectFrom('shipments')
    .select('id')
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Shipments for `listPage`; each filter applies when given. */
export function shipmentsQuery(
  db: Db,
  filter: {
    ownerId?: string | undefined;
    orderIds?: readonly string[] | undefined;
    status?: ShipmentStatus | undefined;
    trackingNumber?: string | undefined;
    customerId?: string | undefined;
  },
) {
  let q = db.selectFrom('shipments').selectAll();
  if (filter.ownerId !== undefined) q = q.where('customer_id', '=', filter.ownerId);
  if (filter.orderIds?.length) q = q.where('order_id', 'in', filter.orderIds);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.trackingNumber) q = q.where('tracking_number', '=', filter.trackingNumber);
  if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
  return q;
}

/**
 * Moves a shipment to `status`, stamping the matching `…_at` column; `carrier` is set along with
 * `in_transit`. Returns the shipment.
 */
export async function setShipmentStatus(
  trx: Trx,
  id: string,
  status: StatusAfterAction,
  carrier: string | null,
): Promise<ShipmentRow> {
  const now = sql<Date>`now()`;
  const stamp =
    status === 'in_transit'
      ? { dispatched_at: now, carrier }
      : status === 'delivered'
        ? { delivered_at: now }
        : { cancelled_at: now };
  return trx
    .updateTable('shipments')
    .set({ status, updated_at: now, ...stamp })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertTrackingStep(
  trx: Trx,
  shipmentId: string,
  status: ShipmentStatus,
  note: string | null,
): Promise<void> {
  await trx.insertInto('shipment_tracking').values({ shipment_id: shipmentId, status, note }).execute();
}

/** A shipment's tracking history, oldest step first. */
export async function trackingOf(db: Db, shipmentId: string): Promise<TrackingStepRow[]> {
  return db
    .selectFrom('shipment_tracking')
    .selectAll()
    .where('shipment_id', '=', shipmentId)
    .orderBy('seq')
    .execute();
}

/** The tracking histories of many shipments in one query, by shipment id, oldest step first. */
export async function trackingOfMany(
  db: Db,
  shipmentIds: readonly string[],
): Promise<Map<string, TrackingStepRow[]>> {
  const out = new Map<string, TrackingStepRow[]>();
  if (shipmentIds.length === 0) return out;
  const rows = await db
    .selectFrom('shipment_tracking')
    .selectAll()
    .where('shipment_id', 'in', shipmentIds)
    .orderBy('seq')
    .execute();
  for (const r of rows) {
    const list = out.get(r.shipment_id);
    if (list) list.push(r);
    else out.set(r.shipment_id, [r]);
  }
  return out;
}

export async function isCancelledOrder(db: Db, orderId: string): Promise<boolean> {
  const row = await db
    .selectFrom('cancelled_orders')
    .select('order_id')
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Remembers that an order was cancelled before its shipment existed (events reordered). */
export async function rememberCancelledOrder(trx: Trx, orderId: string): Promise<void> {
  await trx
    .insertInto('cancelled_orders')
    .values({ order_id: orderId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
