import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import orders from '../src/service.ts';
import {
  address,
  cartWith,
  clients,
  MOMBASA,
  NAIROBI,
  seedProduct,
  seedWarehouses,
  stockOf,
} from './fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`orders racing for stock (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    env = await startTestServices([orders]);
    c = clients(env);
    await seedWarehouses(c.staff, NAIROBI, MOMBASA);
  });
  afterAll(() => env?.stop());

  const order = (customer: ReturnType<typeof c.customer>, cart: string, city = 'Nairobi') =>
    customer.post('/api/v1/orders', { cart_id: cart, shipping_address: address(city) });

  it('gives the last unit to exactly one of two customers; the other gets 409 out_of_stock', async () => {
    for (let round = 0; round < 10; round++) {
      const p = await seedProduct(c.staff, { NBO: 1 });
      const alice = c.customer();
      const bob = c.customer();
      const carts = [
        await cartWith(alice, [{ product_id: p.id, quantity: 1 }]),
        await cartWith(bob, [{ product_id: p.id, quantity: 1 }]),
      ];
      const [a, b] = await Promise.all([order(alice, carts[0]!), order(bob, carts[1]!)]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      expect((a.status === 409 ? a : b).body.code).toBe('out_of_stock');
      expect((await stockOf(c.staff, p.id)).NBO).toMatchObject({ quantity: 1, reserved: 1, available: 0 });
    }
  });

  it('confirms exactly 50 of 100 concurrent orders against 50 units, and stock ends at 0 available', async () => {
    const p = await seedProduct(c.staff, { NBO: 50 });
    const carts = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const customer = c.customer();
        return { customer, cart: await cartWith(customer, [{ product_id: p.id, quantity: 1 }]) };
      }),
    );
    const results = await Promise.all(carts.map(({ customer, cart }) => order(customer, cart)));
    const byStatus = results.reduce<Record<number, number>>(
      (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
      {},
    );
    expect(byStatus).toEqual({ 201: 50, 409: 50 });
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'out_of_stock')).toBe(true);
    expect((await stockOf(c.staff, p.id)).NBO).toMatchObject({ quantity: 50, reserved: 50, available: 0 });
    const confirmed = await c.staff.get('/api/v1/orders?status=confirmed&limit=100');
    expect(
      confirmed.body.data.filter((o: { items: { product_id: string }[] }) => o.items[0]!.product_id === p.id),
    ).toHaveLength(50);
  });

  it('never oversells across warehouses or with cancellations running at the same time', async () => {
    const p = await seedProduct(c.staff, { NBO: 10, MBA: 10 });
    // 10 orders that will be cancelled while 30 more race for what is left.
    const early = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const cu = c.customer();
        return {
          cu,
          res: await order(cu, await cartWith(cu, [{ product_id: p.id, quantity: 1 }]), 'Mombasa'),
        };
      }),
    );
    const racers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const cu = c.customer();
        return {
          cu,
          cart: await cartWith(cu, [{ product_id: p.id, quantity: 1 }]),
          city: i % 2 ? 'Mombasa' : 'Nairobi',
        };
      }),
    );
    const [cancels, placed] = await Promise.all([
      Promise.all(early.map(({ cu, res }) => cu.post(`/api/v1/orders/${res.body.id}/cancel`))),
      Promise.all(racers.map(({ cu, cart, city }) => order(cu, cart, city))),
    ]);
    expect(cancels.every((r) => r.status === 200)).toBe(true);
    const won = placed.filter((r) => r.status === 201).length;
    expect(placed.every((r) => r.status === 201 || r.body.code === 'out_of_stock')).toBe(true);
    // 20 units, 10 released by cancellation: at least 10 and at most 20 racers win.
    expect(won).toBeGreaterThanOrEqual(10);
    expect(won).toBeLessThanOrEqual(20);
    const stock = await stockOf(c.staff, p.id);
    expect(stock.NBO!.reserved + stock.MBA!.reserved).toBe(won);
    expect(stock.NBO!.available).toBeGreaterThanOrEqual(0);
    expect(stock.MBA!.available).toBeGreaterThanOrEqual(0);
  });
});
