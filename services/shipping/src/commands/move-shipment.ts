/**
 * Staff moving a shipment along: dispatch (pending → in_transit, optionally naming the
 * carrier) and deliver (in_transit → delivered), each with its tracking step and event in one
 * transaction.
 */
import type { Caller } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { ShipmentRow } from '../tables.ts';
import { visibleShipment } from './loaders.ts';
import { applyAction } from './transition.ts';

export async function moveShipment(
  deps: Deps,
  caller: Caller,
  id: string,
  action: 'dispatch' | 'deliver',
  carrier: string | null,
): Promise<ShipmentRow> {
  return deps.tx(async (trx) => {
    const s = await visibleShipment(trx, caller, id, true);
    return applyAction(trx, s, action, carrier, (type, data) =>
      deps.publish(trx, type, data, { subject: s.id }),
    );
  });
}
