import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EARTH_RADIUS_KM, haversineKm } from '../src/domain/distance.ts';
import { chooseWarehouse, resolveDestination } from '../src/domain/fulfilment.ts';
import { geocodeCity } from '../src/domain/geocode.ts';
import { canCancel, stepsTowards } from '../src/domain/order-status.ts';
import { priceLines } from '../src/domain/pricing.ts';

const nairobi = { latitude: -1.2921, longitude: 36.8219 };
const mombasa = { latitude: -4.0435, longitude: 39.6682 };
const point = fc.record({
  latitude: fc.double({ min: -90, max: 90, noNaN: true }),
  longitude: fc.double({ min: -180, max: 180, noNaN: true }),
});

describe('great-circle distance (haversine)', () => {
  it('measures Nairobi to Mombasa as about 440 km and London to Paris as about 344 km', () => {
    expect(haversineKm(nairobi, mombasa)).toBeCloseTo(440, -1);
    expect(
      haversineKm({ latitude: 51.5072, longitude: -0.1276 }, { latitude: 48.8566, longitude: 2.3522 }),
    ).toBeCloseTo(344, -1);
  });

  it('is zero from a point to itself and half the circumference between antipodes', () => {
    expect(haversineKm(nairobi, nairobi)).toBe(0);
    expect(haversineKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 })).toBeCloseTo(
      Math.PI * EARTH_RADIUS_KM,
      6,
    );
    expect(haversineKm({ latitude: 90, longitude: 0 }, { latitude: -90, longitude: 0 })).toBeCloseTo(
      Math.PI * EARTH_RADIUS_KM,
      6,
    );
  });

  it('crosses the antimeridian the short way', () => {
    // Fiji (178°E) to Samoa (172°W) is ~1,150 km, not most of the way round.
    expect(
      haversineKm({ latitude: -18.1, longitude: 178.4 }, { latitude: -13.8, longitude: -171.8 }),
    ).toBeLessThan(1200);
  });

  it('is symmetric, bounded and obeys the triangle inequality', () => {
    fc.assert(
      fc.property(point, point, point, (a, b, c) => {
        const ab = haversineKm(a, b);
        expect(ab).toBeCloseTo(haversineKm(b, a), 6);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(Math.PI * EARTH_RADIUS_KM + 1e-6);
        // 1 m of slack: near antipodes asin(√h) loses ~1e-4 km to rounding.
        expect(ab).toBeLessThanOrEqual(haversineKm(a, c) + haversineKm(c, b) + 1e-3);
      }),
    );
  });
});

describe('geocoding a city from the bundled table', () => {
  it('knows the Kenyan cities and some capitals, ignoring case, accents and punctuation', () => {
    for (const city of ['Nairobi', 'Mombasa', 'Kisumu', 'Nakuru', 'Eldoret'])
      expect(geocodeCity(city, 'KE'), city).toBeDefined();
    expect(geocodeCity('  MOMBASA ')).toEqual(mombasa);
    expect(geocodeCity('dar-es-salaam', 'Tanzania')).toBeDefined();
    expect(geocodeCity('Brasilia', 'BR')).toBeDefined();
    expect(geocodeCity('London', 'GB')).toBeDefined();
  });

  it('returns nothing for an unknown city or a country that contradicts the table', () => {
    expect(geocodeCity('Atlantis')).toBeUndefined();
    expect(geocodeCity('Nairobi', 'FR')).toBeUndefined();
  });

  it('prefers coordinates on the address over the table', () => {
    expect(resolveDestination({ city: 'Nairobi', country: 'KE', latitude: 1, longitude: 2 })).toEqual({
      latitude: 1,
      longitude: 2,
      source: 'address',
    });
    expect(resolveDestination({ city: 'Mombasa', country: 'KE' })).toEqual({
      ...mombasa,
      source: 'gazetteer',
    });
    expect(
      resolveDestination({ city: 'Atlantis', country: 'KE', latitude: null, longitude: null }),
    ).toBeNull();
  });
});

describe('choosing the warehouse', () => {
  const sites = [
    { id: 'w-nbo', code: 'NBO', ...nairobi },
    { id: 'w-mba', code: 'MBA', ...mombasa },
  ];
  const stock = (nbo: number, mba: number) =>
    new Map([
      ['w-nbo', new Map([['p', nbo]])],
      ['w-mba', new Map([['p', mba]])],
    ]);
  const line = (quantity: number) => [{ product_id: 'p', quantity }];

  it('picks the nearest warehouse that holds everything', () => {
    expect(chooseWarehouse(sites, stock(5, 5), line(2), mombasa)?.warehouse.code).toBe('MBA');
    expect(chooseWarehouse(sites, stock(5, 5), line(2), nairobi)?.warehouse.code).toBe('NBO');
    expect(chooseWarehouse(sites, stock(5, 1), line(2), mombasa)?.warehouse.code).toBe('NBO');
  });

  it('does not split an order: a warehouse missing one item is not a candidate', () => {
    const avail = new Map([
      ['w-nbo', new Map([['a', 1]])],
      ['w-mba', new Map([['b', 1]])],
    ]);
    expect(
      chooseWarehouse(
        sites,
        avail,
        [
          { product_id: 'a', quantity: 1 },
          { product_id: 'b', quantity: 1 },
        ],
        mombasa,
      ),
    ).toBeNull();
  });

  it('falls back to the first warehouse by code without a destination, and answers null with no stock', () => {
    expect(chooseWarehouse(sites, stock(5, 5), line(1), null)).toEqual({
      warehouse: sites[1],
      distanceKm: null,
    });
    expect(chooseWarehouse(sites, stock(0, 0), line(1), mombasa)).toBeNull();
  });

  it('always returns a candidate that holds the items, and none nearer holds them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(point, fc.nat(3)), { minLength: 1, maxLength: 6 }),
        point,
        fc.integer({ min: 1, max: 3 }),
        (ws, dest, qty) => {
          const wh = ws.map(([p], i) => ({ id: `w${i}`, code: `W${i}`, ...p }));
          const avail = new Map(ws.map(([, n], i) => [`w${i}`, new Map([['p', n]])]));
          const choice = chooseWarehouse(wh, avail, line(qty), dest);
          const holders = wh.filter((_, i) => ws[i]![1] >= qty);
          if (holders.length === 0) {
            expect(choice).toBeNull();
          } else {
            expect(holders).toContain(choice!.warehouse);
            for (const h of holders) expect(choice!.distanceKm!).toBeLessThanOrEqual(haversineKm(h, dest));
          }
        },
      ),
    );
  });
});

describe('the order state machine', () => {
  it('walks forward through shipped to delivered and never backwards', () => {
    expect(stepsTowards('confirmed', 'shipped')).toEqual(['shipped']);
    expect(stepsTowards('confirmed', 'delivered')).toEqual(['shipped', 'delivered']);
    expect(stepsTowards('shipped', 'delivered')).toEqual(['delivered']);
    expect(stepsTowards('shipped', 'shipped')).toEqual([]);
    expect(stepsTowards('delivered', 'shipped')).toEqual([]);
    expect(stepsTowards('cancelled', 'shipped')).toBeNull();
  });

  it('lets only a confirmed order be cancelled', () => {
    expect(canCancel('confirmed')).toBe(true);
    for (const s of ['shipped', 'delivered', 'cancelled'] as const) expect(canCancel(s)).toBe(false);
  });
});

describe('pricing a cart', () => {
  const l = (over: Partial<Parameters<typeof priceLines>[0][number]> = {}) => ({
    product_id: 'p1',
    sku: 'A',
    name: 'A',
    quantity: 2,
    unit_price: 1250,
    currency: 'KES',
    active: true,
    ...over,
  });

  it('totals integer minor units in one currency', () => {
    expect(priceLines([l(), l({ product_id: 'p2', quantity: 3, unit_price: 100 })])).toEqual({
      ok: true,
      total: 2800,
      currency: 'KES',
    });
  });

  it('refuses an empty cart, mixed currencies and withdrawn products, naming the problem', () => {
    expect(priceLines([])).toMatchObject({ ok: false, errors: [{ code: 'empty_cart' }] });
    expect(priceLines([l(), l({ product_id: 'p2', currency: 'USD' })])).toMatchObject({
      ok: false,
      errors: [{ code: 'mixed_currency' }],
    });
    expect(priceLines([l({ active: false })])).toMatchObject({ ok: false, errors: [{ code: 'inactive' }] });
  });
});
