/**
 * Which warehouse ships an order. The rule (docs/services.md, orders):
 *
 * 1. Only warehouses that hold every item of the order in the requested quantity (available =
 *    on hand − reserved) are candidates: an order ships from one place.
 * 2. The destination is the address's own latitude/longitude when it has them, else its city
 *    looked up in the bundled gazetteer (geocode.ts).
 * 3. With a destination, the candidate nearest by great-circle distance wins (ties: by code).
 *    Without one (unknown city, no coordinates), the first candidate by code wins.
 * 4. No candidate → the order is refused (409 `out_of_stock`).
 */
import { haversineKm, type Point } from './distance.ts';
import { geocodeCity } from './geocode.ts';

export interface WarehouseSite extends Point {
  id: string;
  code: string;
}

export interface Line {
  product_id: string;
  quantity: number;
}

/** Available units per warehouse id, then per product id. */
export type Availability = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface Destination extends Point {
  source: 'address' | 'gazetteer';
}

export interface AddressLike {
  city: string;
  country: string;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
}

/** Where an address is, if we can tell (rule 2). */
export function resolveDestination(address: AddressLike): Destination | null {
  if (typeof address.latitude === 'number' && typeof address.longitude === 'number') {
    return { latitude: address.latitude, longitude: address.longitude, source: 'address' };
  }
  const hit = geocodeCity(address.city, address.country);
  return hit ? { ...hit, source: 'gazetteer' } : null;
}

export function holdsEverything(
  availability: Availability,
  warehouseId: string,
  lines: readonly Line[],
): boolean {
  const stock = availability.get(warehouseId);
  return lines.every((l) => (stock?.get(l.product_id) ?? 0) >= l.quantity);
}

export interface Choice<W extends WarehouseSite> {
  warehouse: W;
  /** Kilometres to the destination, or null when the destination is unknown. */
  distanceKm: number | null;
}

/**
 * The warehouse to ship from (rules 1–3), or null when none holds everything.
 *
 * @example
 *   chooseWarehouse(sites, availability, [{ product_id: 'p1', quantity: 2 }], resolveDestination(address));
 */
export function chooseWarehouse<W extends WarehouseSite>(
  warehouses: readonly W[],
  availability: Availability,
  lines: readonly Line[],
  destination: Point | null,
): Choice<W> | null {
  const byCode = (a: W, b: W) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  const candidates = warehouses.filter((w) => holdsEverything(availability, w.id, lines));
  if (candidates.length === 0) return null;
  if (!destination) return { warehouse: [...candidates].sort(byCode)[0]!, distanceKm: null };
  const ranked = candidates
    .map((w) => ({ warehouse: w, distanceKm: haversineKm(w, destination) }))
    .sort((a, b) => a.distanceKm - b.distanceKm || byCode(a.warehouse, b.warehouse));
  return ranked[0]!;
}
