/**
 * A small bundled gazetteer: city → coordinates, used when a shipping address has no
 * latitude/longitude. It covers the Kenyan cities the platform serves first and a few world
 * capitals; an unknown city resolves to nothing and the fulfilment rule falls back to the
 * first warehouse by code (see fulfilment.ts).
 */
import type { Point } from './distance.ts';

interface Place extends Point {
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  countryName: string;
}

const PLACES: readonly Place[] = [
  { city: 'Nairobi', country: 'KE', countryName: 'Kenya', latitude: -1.2921, longitude: 36.8219 },
  { city: 'Mombasa', country: 'KE', countryName: 'Kenya', latitude: -4.0435, longitude: 39.6682 },
  { city: 'Kisumu', country: 'KE', countryName: 'Kenya', latitude: -0.0917, longitude: 34.768 },
  { city: 'Nakuru', country: 'KE', countryName: 'Kenya', latitude: -0.3031, longitude: 36.08 },
  { city: 'Eldoret', country: 'KE', countryName: 'Kenya', latitude: 0.5143, longitude: 35.2698 },
  { city: 'Thika', country: 'KE', countryName: 'Kenya', latitude: -1.0333, longitude: 37.0693 },
  { city: 'Malindi', country: 'KE', countryName: 'Kenya', latitude: -3.2192, longitude: 40.1169 },
  { city: 'Garissa', country: 'KE', countryName: 'Kenya', latitude: -0.4532, longitude: 39.6461 },
  { city: 'Kampala', country: 'UG', countryName: 'Uganda', latitude: 0.3476, longitude: 32.5825 },
  { city: 'Dar es Salaam', country: 'TZ', countryName: 'Tanzania', latitude: -6.7924, longitude: 39.2083 },
  { city: 'Dodoma', country: 'TZ', countryName: 'Tanzania', latitude: -6.163, longitude: 35.7516 },
  { city: 'Kigali', country: 'RW', countryName: 'Rwanda', latitude: -1.9441, longitude: 30.0619 },
  { city: 'Addis Ababa', country: 'ET', countryName: 'Ethiopia', latitude: 9.03, longitude: 38.74 },
  { city: 'Cairo', country: 'EG', countryName: 'Egypt', latitude: 30.0444, longitude: 31.2357 },
  { city: 'Abuja', country: 'NG', countryName: 'Nigeria', latitude: 9.0765, longitude: 7.3986 },
  { city: 'Accra', country: 'GH', countryName: 'Ghana', latitude: 5.6037, longitude: -0.187 },
  { city: 'Pretoria', country: 'ZA', countryName: 'South Africa', latitude: -25.7479, longitude: 28.2293 },
  { city: 'London', country: 'GB', countryName: 'United Kingdom', latitude: 51.5072, longitude: -0.1276 },
  { city: 'Paris', country: 'FR', countryName: 'France', latitude: 48.8566, longitude: 2.3522 },
  { city: 'Berlin', country: 'DE', countryName: 'Germany', latitude: 52.52, longitude: 13.405 },
  { city: 'Washington', country: 'US', countryName: 'United States', latitude: 38.9072, longitude: -77.0369 },
  { city: 'Ottawa', country: 'CA', countryName: 'Canada', latitude: 45.4215, longitude: -75.6972 },
  { city: 'Brasília', country: 'BR', countryName: 'Brazil', latitude: -15.7939, longitude: -47.8828 },
  { city: 'New Delhi', country: 'IN', countryName: 'India', latitude: 28.6139, longitude: 77.209 },
  { city: 'Beijing', country: 'CN', countryName: 'China', latitude: 39.9042, longitude: 116.4074 },
  { city: 'Tokyo', country: 'JP', countryName: 'Japan', latitude: 35.6762, longitude: 139.6503 },
  { city: 'Canberra', country: 'AU', countryName: 'Australia', latitude: -35.2809, longitude: 149.13 },
];

/** Lower-case, no accents, single spaces: "  DAR-ES-SALAAM " and "Dar es Salaam" match. */
export function normalisePlace(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

const byCity = new Map<string, Place[]>();
for (const p of PLACES) {
  const k = normalisePlace(p.city);
  byCity.set(k, [...(byCity.get(k) ?? []), p]);
}

/**
 * The coordinates of `city`, or undefined when the table does not know it. `country` (a code
 * such as `KE` or a name such as `Kenya`) must agree with the table when given.
 *
 * @example
 *   geocodeCity('Mombasa', 'KE'); // { latitude: -4.0435, longitude: 39.6682 }
 */
export function geocodeCity(city: string, country?: string | null): Point | undefined {
  const candidates = byCity.get(normalisePlace(city));
  if (!candidates) return undefined;
  const c = country ? normalisePlace(country) : '';
  const hit = c
    ? candidates.find((p) => normalisePlace(p.country) === c || normalisePlace(p.countryName) === c)
    : candidates[0];
  return hit ? { latitude: hit.latitude, longitude: hit.longitude } : undefined;
}

/** The cities the table knows (README, tests). */
export const knownCities: readonly string[] = PLACES.map((p) => `${p.city} (${p.country})`);
