/**
 * order.confirmed is written "in the same transaction" as the order: if that transaction fails
 * after the outbox insert, neither the order nor its event exists, and the cart and stock are
 * as they were; if it commits, both exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import orders from '../src/service.ts';
import {
  address,
  cartWith,
  clients,
  NAIROBI,
  seedProduct,
  seedWarehouses,
  stockOf,
  uid,
} from './fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`placing an order writes the order and its event atomically (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof clients>;
  const db = () => env.services.get('orders')!.deps.db;

  beforeAll(async () => {
    env = await startTestServices([orders]);
    c = clients(env);
    await seedWarehouses(c.staff, NAIROBI);
    // A deferred constraint trigger runs at COMMIT, after every statement of the transaction
    // (the order rows and the outbox insert alike) succeeded: for customers named `doomed-…` it
    // fails the commit, as a lost connection or a serialization failure at that moment would.
    await sql`
      create function fail_commit_for_doomed() returns trigger language plpgsql as $$
      begin
        if new.event->'data'->>'customer_id' like 'doomed-%' then
          raise exception 'commit refused for %', new.event->'data'->>'customer_id';
        end if;
        return null;
      end $$`.execute(db());
    await sql`
      create constraint trigger fail_commit_for_doomed after insert on kit_outbox
      deferrable initially deferred for each row execute function fail_commit_for_doomed()`.execute(db());
  });
  afterAll(() => env?.stop());

  async function stored(customerId: string) {
    const orderRows = await db()
      .selectFrom('orders')
      .select('id')
      .where('customer_id', '=', customerId)
      .execute();
    const events = (
      await sql<{
        type: string;
        subject: string;
      }>`select type, event->>'subject' as subject from kit_outbox
         where event->'data'->>'customer_id' = ${customerId}`.execute(db())
    ).rows;
    return { orders: orderRows.map((r) => r.id), events };
  }

  it('leaves no order, no event, the cart open and the stock unreserved when the commit fails', async () => {
    const p = await seedProduct(c.staff, { NBO: 5 });
    const doomed = c.customer(uid('doomed'));
    const cart = await cartWith(doomed, [{ product_id: p.id, quantity: 2 }]);

    const res = await doomed.post('/api/v1/orders', { cart_id: cart, shipping_address: address('Nairobi') });

    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    expect(JSON.stringify(res.body)).not.toMatch(/commit refused|kit_outbox/);
    const customerId = (await doomed.get(`/api/v1/carts/${cart}`)).body.customer_id as string;
    expect(await stored(customerId)).toEqual({ orders: [], events: [] });
    expect((await doomed.get(`/api/v1/carts/${cart}`)).body).toMatchObject({
      status: 'open',
      order_id: null,
    });
    expect((await stockOf(c.staff, p.id)).NBO).toMatchObject({ quantity: 5, reserved: 0, available: 5 });
    expect((await doomed.get('/api/v1/orders')).body.data).toEqual([]);
  });

  it('keeps the order and its order.confirmed event when the transaction commits', async () => {
    const p = await seedProduct(c.staff, { NBO: 5 });
    const customer = c.customer();
    const cart = await cartWith(customer, [{ product_id: p.id, quantity: 2 }]);

    const res = await customer.post('/api/v1/orders', {
      cart_id: cart,
      shipping_address: address('Nairobi'),
    });

    expect(res.status).toBe(201);
    expect(await stored(res.body.customer_id)).toEqual({
      orders: [res.body.id],
      events: [{ type: 'order.confirmed', subject: res.body.id }],
    });
    expect((await stockOf(c.staff, p.id)).NBO).toMatchObject({ reserved: 2, available: 3 });
  });
});
