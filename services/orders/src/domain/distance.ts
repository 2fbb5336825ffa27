/**
 * Great-circle distance between two points on the Earth, by the haversine formula
 * (R. W. Sinnott, "Virtues of the Haversine", Sky & Telescope 68(2), 1984). Accurate to about
 * 0.5 % against the ellipsoid, which is plenty to rank warehouses.
 */

export interface Point {
  latitude: number;
  longitude: number;
}

/** Mean Earth radius in kilometres (IUGG). */
export const EARTH_RADIUS_KM = 6371.0088;

const rad = (deg: number) => (deg * Math.PI) / 180;

/**
 * Kilometres between `a` and `b` along the surface.
 *
 * @example
 *   haversineKm({ latitude: -1.2921, longitude: 36.8219 }, { latitude: -4.0435, longitude: 39.6682 }); // ≈ 440
 */
export function haversineKm(a: Point, b: Point): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  // min() guards against h creeping above 1 by rounding for antipodal points.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
