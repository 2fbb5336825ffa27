/** Rows to their public shapes (the schemas in routes/shipments.ts). */
import type { ShipmentRow, TrackingStepRow } from './tables.ts';

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

export function toShipment(s: ShipmentRow) {
  const d = s.destination;
  return {
    id: s.id,
    order_id: s.order_id,
    customer_id: s.customer_id,
    status: s.status,
    tracking_number: s.tracking_number,
    carrier: s.carrier,
    origin: s.origin,
    destination: {
      name: d.name,
      line1: d.line1,
      city: d.city,
      country: d.country,
      postal_code: d.postal_code ?? null,
      latitude: d.latitude ?? null,
      longitude: d.longitude ?? null,
    },
    items: s.items,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
    dispatched_at: isoOrNull(s.dispatched_at),
    delivered_at: isoOrNull(s.delivered_at),
    cancelled_at: isoOrNull(s.cancelled_at),
  };
}

export function toTrackingStep(t: TrackingStepRow) {
  return { status: t.status, at: iso(t.at), note: t.note };
}

export function toTracking(s: ShipmentRow, steps: readonly TrackingStepRow[]) {
  return {
    shipment_id: s.id,
    order_id: s.order_id,
    tracking_number: s.tracking_number,
    status: s.status,
    carrier: s.carrier,
    history: steps.map(toTrackingStep),
  };
}
