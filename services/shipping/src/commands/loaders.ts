/** Loading a shipment for a caller: 404 when it does not exist or is another customer's. */
import { AppError, can, type Caller } from '@portico/kit';
import type { Db } from '../deps.ts';
import { findShipment } from '../repository/shipments.ts';
import type { ShipmentRow } from '../tables.ts';

/** The shipment if `caller` may read it (customers see only their own); `lock` takes it FOR UPDATE. */
export async function visibleShipment(
  db: Db,
  caller: Caller,
  id: string,
  lock = false,
): Promise<ShipmentRow> {
  const s = await findShipment(db, id, { lock });
  if (!s || !can(caller, 'shipments:read', { ownerId: s.customer_id })) throw AppError.notFound('Shipment');
  return s;
}
