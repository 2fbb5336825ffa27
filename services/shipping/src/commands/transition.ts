/**
 * One step of the shipment state machine (domain/shipment-status.ts) on a locked shipment:
 * the new status, a tracking step and its event, in the caller's transaction. A step the
 * machine does not allow is 409 `invalid_state` (with `current_status`).
 */
import { AppError } from '@portico/kit';
import type { ShipmentData, ShippingEvents } from '@portico/contracts';
import type { Trx } from '../deps.ts';
import { nextStatus, type ShipmentAction } from '../domain/shipment-status.ts';
import { shipmentData, SHIPMENT_CANCELLED, SHIPMENT_DELIVERED, SHIPMENT_DISPATCHED } from '../events.ts';
import { insertTrackingStep, setShipmentStatus } from '../repository/shipments.ts';
import type { ShipmentRow } from '../tables.ts';

/** Writes an event to the outbox in the current transaction (subject: the shipment id). */
export type Publish = (type: keyof ShippingEvents, data: ShipmentData) => Promise<unknown>;

const EVENT_OF: Record<ShipmentAction, keyof ShippingEvents> = {
  dispatch: SHIPMENT_DISPATCHED,
  deliver: SHIPMENT_DELIVERED,
  cancel: SHIPMENT_CANCELLED,
};

const PAST: Record<ShipmentAction, string> = {
  dispatch: 'dispatched',
  deliver: 'delivered',
  cancel: 'cancelled',
};

/** The tracking note of a step. */
function noteOf(action: ShipmentAction, s: ShipmentRow): string {
  if (action === 'dispatch') return s.carrier ? `handed to ${s.carrier}` : 'dispatched';
  return action === 'deliver' ? 'delivered' : 'order cancelled';
}

/** Applies `action` to the locked shipment `s`; `carrier` (dispatch only) replaces its carrier when given. */
export async function applyAction(
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
      `A ${s.status.replace('_', ' ')} shipment cannot be ${PAST[action]}`,
      {
        extensions: { current_status: s.status },
      },
    );
  }
  const updated = await setShipmentStatus(trx, s.id, to, carrier ?? s.carrier);
  await insertTrackingStep(trx, s.id, to, noteOf(action, updated));
  await publish(EVENT_OF[action], shipmentData(updated));
  return updated;
}
