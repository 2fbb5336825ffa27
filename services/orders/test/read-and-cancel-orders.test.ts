/** Reading orders (own; staff all), paging, and cancelling (stock released). */
import { describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices } from '@portico/kit/testing';
import orders from '../src/service.ts';
import { address, cartWith, seedProduct, stockOf, uid, useOrdersService } from './fixtures.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`reading and cancelling orders (${matrixLabel})`, () => {
  const t = useOrdersService(() => startTestServices([orders]));

  it('shows customers only their own orders (others → 404) and staff everyone’s, filterable', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 10 });
    const aliceId = uid('alice');
    const alice = t.c.customer(aliceId);
    const bob = t.c.customer();
    const order = (
      await alice.post('/api/v1/orders', {
        cart_id: await cartWith(alice, [{ product_id: p.id, quantity: 1 }]),
        shipping_address: address('Nairobi'),
      })
    ).body;
    expect((await alice.get(`/api/v1/orders/${order.id}`)).body).toMatchObject({
      id: order.id,
      status: 'confirmed',
    });
    expect((await bob.get(`/api/v1/orders/${order.id}`)).status).toBe(404);
    expect((await bob.post(`/api/v1/orders/${order.id}/cancel`)).status).toBe(404);
    expect((await bob.get('/api/v1/orders')).body.data).toEqual([]);
    expect((await bob.get(`/api/v1/orders?customer_id=${aliceId}`)).body.data).toEqual([]);
    expect((await alice.get('/api/v1/orders')).body.data.map((o: { id: string }) => o.id)).toEqual([
      order.id,
    ]);
    expect((await t.c.staff.get(`/api/v1/orders/${order.id}`)).status).toBe(200);
    const staffList = await t.c.staff.get(`/api/v1/orders?customer_id=${aliceId}&status=confirmed`);
    expect(staffList.body.data.map((o: { id: string }) => o.id)).toEqual([order.id]);
    expect((await t.c.staff.get(`/api/v1/orders?customer_id=${aliceId}&status=cancelled`)).body.data).toEqual(
      [],
    );
    expect((await t.c.staff.get('/api/v1/orders?status=lost')).status).toBe(422);
  });

  it('pages through orders newest first with a cursor', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 10 });
    const me = t.c.customer();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await me.post('/api/v1/orders', {
            cart_id: await cartWith(me, [{ product_id: p.id, quantity: 1 }]),
            shipping_address: address('Nairobi'),
          })
        ).body.id,
      );
    }
    const page1 = await me.get('/api/v1/orders?limit=2');
    expect(page1.body.has_more).toBe(true);
    expect(page1.headers.get('link')).toContain('rel="next"');
    const page2 = await me.get(`/api/v1/orders?limit=2&cursor=${page1.body.next_cursor}`);
    expect([...page1.body.data, ...page2.body.data].map((o: { id: string }) => o.id)).toEqual(
      [...ids].reverse(),
    );
    expect(page2.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('cancels a confirmed order, restoring its stock; cancelling again is 409 invalid_state', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 3 });
    const me = t.c.customer();
    const order = (
      await me.post('/api/v1/orders', {
        cart_id: await cartWith(me, [{ product_id: p.id, quantity: 3 }]),
        shipping_address: address('Nairobi'),
      })
    ).body;
    expect((await stockOf(t.c.staff, p.id)).NBO!.available).toBe(0);
    const res = await me.post(`/api/v1/orders/${order.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: order.id, status: 'cancelled', cancelled_at: expect.any(String) });
    expect((await stockOf(t.c.staff, p.id)).NBO).toMatchObject({ quantity: 3, reserved: 0, available: 3 });
    const again = await me.post(`/api/v1/orders/${order.id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state');
    expect((await stockOf(t.c.staff, p.id)).NBO!.reserved).toBe(0);
  });

  it('lets staff cancel any order', async () => {
    const p = await seedProduct(t.c.staff, { NBO: 3 });
    const me = t.c.customer();
    const order = (
      await me.post('/api/v1/orders', {
        cart_id: await cartWith(me, [{ product_id: p.id, quantity: 1 }]),
        shipping_address: address('Nairobi'),
      })
    ).body;
    expect((await t.c.staff.post(`/api/v1/orders/${order.id}/cancel`)).body.status).toBe('cancelled');
  });
});
