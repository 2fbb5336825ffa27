/**
 * The shipment state machine:
 *
 *   pending ──dispatch (staff)──▶ in_transit ──deliver (staff)──▶ delivered
 *      └──order.cancelled──▶ cancelled
 *
 * Anything else is refused (409 `invalid_state`), including dispatching twice.
 */
import type { ShipmentStatus } from '../tables.ts';

export type ShipmentAction = 'dispatch' | 'deliver' | 'cancel';
/** A status an action leads to (nothing leads back to `pending`). */
export type StatusAfterAction = Exclude<ShipmentStatus, 'pending'>;

const NEXT: Record<ShipmentAction, { from: ShipmentStatus; to: StatusAfterAction }> = {
  dispatch: { from: 'pending', to: 'in_transit' },
  deliver: { from: 'in_transit', to: 'delivered' },
  cancel: { from: 'pending', to: 'cancelled' },
};

/**
 * The status after `action`, or null when `action` is not allowed from `current`.
 *
 * @example
 *   nextStatus('pending', 'dispatch'); // 'in_transit'
 *   nextStatus('delivered', 'cancel'); // null
 */
export function nextStatus(current: ShipmentStatus, action: ShipmentAction): StatusAfterAction | null {
  const t = NEXT[action];
  return t.from === current ? t.to : null;
}
