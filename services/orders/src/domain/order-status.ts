/**
 * The order state machine:
 *
 *   confirmed ──shipment.dispatched──▶ shipped ──shipment.delivered──▶ delivered
 *       └──────────cancel (customer, staff)──────▶ cancelled
 *
 * Shipment events can arrive late or out of order (a redelivery after a failure), so the
 * consumer asks for the steps that lead from the current status to the one an event implies:
 * a `shipment.delivered` seen while still `confirmed` walks through `shipped` first, and an
 * event that is behind the current status changes nothing.
 */
export const ORDER_STATUSES = ['confirmed', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const FORWARD: readonly OrderStatus[] = ['confirmed', 'shipped', 'delivered'];

/** Whether a customer or staff member may cancel an order in `status`. */
export function canCancel(status: OrderStatus): boolean {
  return status === 'confirmed';
}

/**
 * The statuses to pass through to reach `target` from `current` (excluding `current`):
 * `[]` when already there or beyond, `null` when `target` is unreachable (a cancelled order).
 *
 * @example
 *   stepsTowards('confirmed', 'delivered'); // ['shipped', 'delivered']
 *   stepsTowards('delivered', 'shipped');   // []
 *   stepsTowards('cancelled', 'shipped');   // null
 */
export function stepsTowards(current: OrderStatus, target: 'shipped' | 'delivered'): OrderStatus[] | null {
  if (current === 'cancelled') return null;
  const from = FORWARD.indexOf(current);
  const to = FORWARD.indexOf(target);
  return to <= from ? [] : FORWARD.slice(from + 1, to + 1);
}
