import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import { matrixUnavailable, startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService from '../src/service.ts';
import { eventFor } from './helpers/events.ts';
import { startReceiver, type Received, type Receiver } from '@portico/kit/testing';

const skip = await matrixUnavailable();
let n = 0;
const uid = (p = 'u') => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;

/** Standard Webhooks verification written out independently of the service's own code. */
function verifies(secret: string, r: Received): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest();
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((part) => {
      const [v, sig] = part.split(',');
      const got = Buffer.from(sig ?? '', 'base64');
      return v === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

describe.skipIf(skip)('webhooks', () => {
  let env: TestServices;
  let rx: Receiver;
  let other: Receiver;
  const as = (id: string, roles = ['user']) => env.as('notifications', userCaller(id, roles));
  const register = async (owner: string, body: Record<string, unknown>, roles = ['user']) => {
    const res = await as(owner, roles).post('/api/v1/webhooks', body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const deliveries = async (owner: string, endpointId: string) =>
    (await as(owner).get(`/api/v1/webhooks/${endpointId}/deliveries`)).body.data as any[];
  const on = (path: string) => rx.received.filter((r) => r.path === path);

  beforeAll(async () => {
    env = await startTestServices([notificationsService], {
      env: {
        PORTICO_WEBHOOK_ALLOW_PRIVATE: 'true',
        PORTICO_WEBHOOK_RETRY_SCHEDULE: '0,50ms,50ms,50ms,50ms',
        PORTICO_WEBHOOK_POLL_MS: '50',
      },
    });
    rx = await startReceiver();
    other = await startReceiver();
    rx.respond = (req, count) => {
      if (req.path === '/flaky') return { status: count <= 3 ? 500 : 204 };
      if (req.path === '/gone') return { status: 410 };
      if (req.path === '/redirect') return { status: 302, headers: { location: `${other.url}/target` } };
      return { status: 200 };
    };
  });
  afterAll(async () => {
    await env?.stop();
    await rx?.close();
    await other?.close();
  });

  it('registers an endpoint with a whsec_ secret shown only once, and keeps it to its owner', async () => {
    const alice = uid('alice');
    const res = await as(alice).post('/api/v1/webhooks', {
      url: `${rx.url}/alice`,
      event_types: ['order.confirmed'],
      description: 'orders',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/webhooks/${res.body.id}`);
    expect(res.body).toMatchObject({
      user_id: alice,
      url: `${rx.url}/alice`,
      event_types: ['order.confirmed'],
      status: 'active',
      scope: 'own',
    });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(res.body.secret.slice(6), 'base64').length;
    expect(bytes).toBeGreaterThanOrEqual(24);
    expect(bytes).toBeLessThanOrEqual(32);

    const got = await as(alice).get(`/api/v1/webhooks/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect((await as(alice).get('/api/v1/webhooks')).body.data.map((w: any) => w.id)).toEqual([res.body.id]);
    expect((await as(uid('mallory')).get(`/api/v1/webhooks/${res.body.id}`)).status).toBe(404);
    expect((await as(uid('mallory')).delete(`/api/v1/webhooks/${res.body.id}`)).status).toBe(404);
    expect((await as(uid('mallory')).get(`/api/v1/webhooks/${res.body.id}/deliveries`)).status).toBe(404);
  });

  it('validates the url and event types', async () => {
    const me = as(uid());
    const bad = await me.post('/api/v1/webhooks', { url: 'not a url', event_types: ['order.exploded'] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['event_types.0']);
    const scheme = await me.post('/api/v1/webhooks', { url: 'ftp://example.test/x', event_types: ['*'] });
    expect(scheme.status).toBe(422);
    expect(scheme.body.errors[0].field).toBe('url');
  });

  it('delivers an event about the owner, signed per Standard Webhooks, with the CloudEvent as body', async () => {
    const bob = uid('bob');
    const hook = await register(bob, {
      url: `${rx.url}/bob`,
      event_types: ['order.confirmed', 'shipment.dispatched'],
    });
    await env.bus.publish(eventFor('order.confirmed', uid('someone-else'))); // not bob's
    await env.bus.publish(eventFor('task.assigned', bob)); // not subscribed
    const ev = eventFor('order.confirmed', bob);
    await env.bus.publish(ev);
    const [req] = await env.eventually(async () => (on('/bob').length ? on('/bob') : null));
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['webhook-id']).toBe(ev.id);
    expect(Math.abs(Number(req!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(req!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifies(hook.secret, req!)).toBe(true);
    expect(verifies(hook.secret, { ...req!, body: req!.body.replace('order', 'prder') })).toBe(false);
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      specversion: '1.0',
      id: ev.id,
      type: 'order.confirmed',
      source: 'orders',
      data: { customer_id: bob },
    });

    const [d] = await env.eventually(async () => {
      const l = await deliveries(bob, hook.id);
      return l.length && l[0].status === 'succeeded' ? l : null;
    });
    expect(d).toMatchObject({
      status: 'succeeded',
      attempt_count: 1,
      event_type: 'order.confirmed',
      message_id: ev.id,
      last_status_code: 200,
    });
    expect(d.attempts).toHaveLength(1);
    // Only bob's subscribed event reached him.
    expect(on('/bob')).toHaveLength(1);
  });

  it('retries a failing receiver with backoff and records every attempt until it succeeds', async () => {
    const carol = uid('carol');
    const hook = await register(carol, { url: `${rx.url}/flaky`, event_types: ['*'] });
    const ev = eventFor('invoice.issued', carol);
    await env.bus.publish(ev);
    const [d] = await env.eventually(async () => {
      const l = await deliveries(carol, hook.id);
      return l.length && l[0].status === 'succeeded' ? l : null;
    });
    expect(d.attempt_count).toBe(4);
    expect(d.attempts.map((a: any) => [a.attempt, a.outcome, a.status_code])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'failed', 500],
      [4, 'succeeded', 204],
    ]);
    expect((await deliveries(carol, hook.id)).length).toBe(1);
    const got = on('/flaky');
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([ev.id]));
    expect(got.every((r) => verifies(hook.secret, r))).toBe(true);
  });

  it('disables the endpoint when the receiver answers 410 Gone', async () => {
    const dave = uid('dave');
    const hook = await register(dave, { url: `${rx.url}/gone`, event_types: ['task.completed'] });
    await env.bus.publish(eventFor('task.completed', dave));
    const disabled = await env.eventually(async () => {
      const e = (await as(dave).get(`/api/v1/webhooks/${hook.id}`)).body;
      return e.status === 'disabled' ? e : null;
    });
    expect(disabled.disabled_reason).toContain('410');
    const [d] = await deliveries(dave, hook.id);
    expect(d).toMatchObject({ status: 'failed', attempt_count: 1, last_status_code: 410 });
    expect((await as(dave).post(`/api/v1/webhooks/${hook.id}/deliveries/${d.id}/retry`)).status).toBe(409);
    // Disabled endpoints get nothing new; re-enabling works.
    await env.bus.publish(eventFor('task.completed', dave));
    const patched = await as(dave).patch(`/api/v1/webhooks/${hook.id}`, { status: 'active' });
    expect(patched.body).toMatchObject({ status: 'active', disabled_reason: null });
    expect(on('/gone')).toHaveLength(1);
  });

  it('never follows a redirect (a 302 to loopback fails the delivery) and redelivers on manual retry', async () => {
    const erin = uid('erin');
    const hook = await register(erin, { url: `${rx.url}/redirect`, event_types: ['grade.recorded'] });
    await env.bus.publish(eventFor('grade.recorded', erin));
    const [d] = await env.eventually(async () => {
      const l = await deliveries(erin, hook.id);
      return l.length && l[0].status === 'failed' ? l : null;
    });
    expect(d.attempt_count).toBe(5);
    expect(d.attempts.every((a: any) => a.status_code === 302 && a.outcome === 'failed')).toBe(true);
    expect(d.last_error).toContain('not followed');
    expect(other.received).toEqual([]);

    // The receiver is fixed; a manual retry delivers once more.
    await as(erin).patch(`/api/v1/webhooks/${hook.id}`, { url: `${rx.url}/fixed` });
    const retry = await as(erin).post(`/api/v1/webhooks/${hook.id}/deliveries/${d.id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body.status).toBe('pending');
    const done = await env.eventually(async () => {
      const x = (await as(erin).get(`/api/v1/webhooks/${hook.id}/deliveries/${d.id}`)).body;
      return x.status === 'succeeded' ? x : null;
    });
    expect(done.attempt_count).toBe(6);
    expect(on('/fixed')).toHaveLength(1);
  });

  it('lets an admin subscribe to everyone’s events with *, while a user’s * covers only their own', async () => {
    const admin = uid('admin');
    const frank = uid('frank');
    const adminHook = await register(admin, { url: `${rx.url}/admin-all`, event_types: ['*'] }, ['admin']);
    expect(adminHook.scope).toBe('all');
    const userHook = await register(frank, { url: `${rx.url}/frank-all`, event_types: ['*'] });
    expect(userHook.scope).toBe('own');
    const ev = eventFor('absence.approved', uid('grace'));
    await env.bus.publish(ev);
    await env.eventually(async () => on('/admin-all').some((r) => r.headers['webhook-id'] === ev.id));
    const mine = eventFor('absence.approved', frank);
    await env.bus.publish(mine);
    await env.eventually(async () => on('/frank-all').some((r) => r.headers['webhook-id'] === mine.id));
    expect(on('/frank-all').some((r) => r.headers['webhook-id'] === ev.id)).toBe(false);
  });

  it('stops giving an admin endpoint everyone’s events once its owner is no longer an admin', async () => {
    const admin = uid('admin');
    // Registered like the bootstrap admin: user.registered carries no roles, so they stay unknown.
    await env.bus.publish(
      makeEvent('identity', 'user.registered', {
        user_id: admin,
        email: `${admin}@example.test`,
        full_name: 'A',
      }),
    );
    const hook = await register(admin, { url: `${rx.url}/${admin}`, event_types: ['order.cancelled'] }, [
      'admin',
    ]);
    const before = eventFor('order.cancelled', uid('x'));
    await env.bus.publish(before);
    await env.eventually(async () => on(`/${admin}`).some((r) => r.headers['webhook-id'] === before.id));
    await env.bus.publish(
      makeEvent('identity', 'user.roles_changed', {
        user_id: admin,
        old_roles: ['admin'],
        new_roles: ['user'],
        changed_by: 'other-admin',
      }),
    );
    const db = env.services.get('notifications')!.deps.db;
    await env.eventually(
      async () =>
        (await db.selectFrom('users').select('roles_known').where('id', '=', admin).executeTakeFirst())
          ?.roles_known,
    );
    const after = eventFor('order.cancelled', uid('y'));
    const own = eventFor('order.cancelled', admin);
    await env.bus.publish(after);
    await env.bus.publish(own);
    await env.eventually(async () => on(`/${admin}`).some((r) => r.headers['webhook-id'] === own.id));
    expect(on(`/${admin}`).some((r) => r.headers['webhook-id'] === after.id)).toBe(false);
    expect(hook.scope).toBe('all');
  });

  it('sends nothing to someone who turned the webhook channel off', async () => {
    const hank = uid('hank');
    const kim = uid('kim');
    const hook = await register(hank, { url: `${rx.url}/hank`, event_types: ['payment.received'] });
    await register(kim, { url: `${rx.url}/kim`, event_types: ['payment.received'] });
    await as(hank).put('/api/v1/notifications/preferences', { in_app: true, email: true, webhook: false });
    await env.bus.publish(eventFor('payment.received', hank));
    // Events reach the webhooks consumer in order: once Kim's (published after) is delivered, Hank's was handled.
    await env.bus.publish(eventFor('payment.received', kim));
    await env.eventually(async () => on('/kim').length === 1);
    expect(await deliveries(hank, hook.id)).toEqual([]);
    expect(on('/hank')).toEqual([]);
  });

  it('delivers a staff message sent on the webhook channel as notification.sent', async () => {
    const ivan = uid('ivan');
    const hook = await register(ivan, { url: `${rx.url}/ivan`, event_types: ['notification.sent'] });
    const sent = await as(uid('staff'), ['staff']).post('/api/v1/notifications', {
      user_id: ivan,
      title: 'Ping',
      body: 'Webhook me',
      channel: 'webhook',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.channel).toBe('webhook');
    const [req] = await env.eventually(async () => (on('/ivan').length ? on('/ivan') : null));
    expect(verifies(hook.secret, req!)).toBe(true);
    expect(JSON.parse(req!.body)).toMatchObject({
      type: 'notification.sent',
      source: 'notifications',
      data: { id: sent.body.id, title: 'Ping' },
    });
  });

  it('deletes an endpoint with its history', async () => {
    const judy = uid('judy');
    const hook = await register(judy, { url: `${rx.url}/judy`, event_types: ['*'] });
    expect((await as(judy).delete(`/api/v1/webhooks/${hook.id}`)).status).toBe(204);
    expect((await as(judy).get(`/api/v1/webhooks/${hook.id}`)).status).toBe(404);
  });
});
