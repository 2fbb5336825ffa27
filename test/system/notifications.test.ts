/**
 * Notifications end to end, through the gateway: identity's events become notifications, a
 * person sees only their own, the live stream passes the gateway unbuffered and resumes with
 * Last-Event-ID, webhooks arrive signed, and bulk sends run in the background.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';
import { openSse, type SseClient } from '@portico/kit/testing';
import { startReceiver, type Receiver } from '@portico/kit/testing';

const skip = await systemUnavailable();

describe.skipIf(skip)(`notifications through the gateway (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let rx: Receiver;
  const streams: SseClient[] = [];
  const stream = async (who: Session, headers: Record<string, string> = {}) => {
    const s = await openSse(`${sys.url}/api/v1/notifications/stream`, {
      authorization: `Bearer ${who.access_token}`,
      ...headers,
    });
    streams.push(s);
    return s;
  };
  const inbox = async (who: Session) => {
    const res = await who.client.get('/api/v1/notifications?limit=100');
    expect(res.status).toBe(200);
    return res.body.data as { id: string; type: string; title: string; body: string; channel: string }[];
  };

  beforeAll(async () => {
    sys = await startSystem({
      services: ['identity', 'notifications'],
      env: {
        PORTICO_WEBHOOK_RETRY_SCHEDULE: '0,100ms,100ms',
        PORTICO_WEBHOOK_POLL_MS: '100',
        PORTICO_BULK_POLL_MS: '100',
        PORTICO_MAIL_POLL_MS: '100',
        PORTICO_SSE_HEARTBEAT_MS: '1000',
      },
    });
    [admin, alice, bob] = await Promise.all([sys.admin(), sys.signUp(), sys.signUp()]);
    rx = await startReceiver();
  }, 180_000);
  afterAll(async () => {
    for (const s of streams) s.close();
    await sys?.stop();
    await rx?.close();
  });

  it('welcomes a new user with a notification and an email in the dev mailbox', async () => {
    const welcome = await sys.eventually(async () =>
      (await inbox(alice)).find((n) => n.type === 'user.registered'),
    );
    expect(welcome.title).toBe('Welcome to Portico');
    const mail = await sys.eventually(async () => {
      const r = await admin.client.get(
        `/api/v1/notifications/dev-mailbox?to=${encodeURIComponent(alice.email)}`,
      );
      return r.status === 200 && r.body.data.length ? r.body.data[0] : null;
    });
    expect(mail).toMatchObject({ to: alice.email, subject: 'Welcome to Portico' });
    expect((await alice.client.get('/api/v1/notifications/dev-mailbox')).status).toBe(403);
  });

  it('never shows or deletes one user’s notification to another (404)', async () => {
    const sent = await admin.client.post('/api/v1/notifications', {
      user_id: alice.id,
      title: 'Just for Alice',
      body: 'Hello',
    });
    expect(sent.status).toBe(201);
    expect((await bob.client.get(`/api/v1/notifications/${sent.body.id}`)).status).toBe(404);
    expect((await bob.client.delete(`/api/v1/notifications/${sent.body.id}`)).status).toBe(404);
    expect((await alice.client.get(`/api/v1/notifications/${sent.body.id}`)).status).toBe(200);
    expect(
      (await bob.client.post('/api/v1/notifications', { user_id: alice.id, title: 'x', body: 'y' })).status,
    ).toBe(403);
  });

  it('streams a new notification through the gateway within a second, and resumes with Last-Event-ID', async () => {
    const live = await stream(bob);
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await sys.eventually(async () => live.comments.length > 0); // connected and flushed through the gateway

    await admin.client.post('/api/v1/notifications', { user_id: bob.id, title: 'Live one', body: 'now' });
    const first = await live.next(1_000);
    expect(JSON.parse(first.data).title).toBe('Live one');
    live.close();

    await admin.client.post('/api/v1/notifications', {
      user_id: bob.id,
      title: 'Missed one',
      body: 'while away',
    });
    const resumed = await stream(bob, { 'last-event-id': first.id! });
    const missed = await resumed.next(2_000);
    expect(JSON.parse(missed.data).title).toBe('Missed one');
    expect(Number(missed.id)).toBeGreaterThan(Number(first.id));
  });

  it('delivers a signed webhook (Standard Webhooks) to the owner’s endpoint', async () => {
    const created = await alice.client.post('/api/v1/webhooks', {
      url: `${rx.url}/alice`,
      event_types: ['notification.sent'],
    });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect((await bob.client.get(`/api/v1/webhooks/${created.body.id}`)).status).toBe(404);
    await admin.client.post('/api/v1/notifications', {
      user_id: alice.id,
      title: 'Hooked',
      body: 'via webhook',
      channel: 'webhook',
    });
    const req = await sys.eventually(async () => rx.received.find((r) => r.path === '/alice'));
    const id = String(req.headers['webhook-id']);
    const ts = String(req.headers['webhook-timestamp']);
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`${id}.${ts}.${req.body}`)
      .digest('base64');
    expect(req.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(JSON.parse(req.body)).toMatchObject({
      type: 'notification.sent',
      data: { user_id: alice.id, title: 'Hooked' },
    });
    const deliveries = await sys.eventually(async () => {
      const r = await alice.client.get(`/api/v1/webhooks/${created.body.id}/deliveries`);
      return r.body.data?.[0]?.status === 'succeeded' ? r.body.data : null;
    });
    expect(deliveries).toHaveLength(1);
  });

  it('sends in bulk to a role in the background', async () => {
    const staffBob = await sys.grantRoles(bob, ['user', 'staff']);
    const job = await sys.eventually(async () => {
      const r = await admin.client.post('/api/v1/notifications/bulk', {
        role: 'staff',
        title: 'Staff meeting',
        body: 'Friday 9:00',
      });
      expect(r.status).toBe(202);
      return r.body.total >= 1 ? r.body : null; // the users read model follows identity's events
    });
    const done = await sys.eventually(async () => {
      const r = await admin.client.get(`/api/v1/notifications/bulk/${job.id}`);
      return r.body.status === 'completed' ? r.body : null;
    });
    expect(done.sent).toBe(done.total);
    expect((await inbox(staffBob)).some((n) => n.title === 'Staff meeting')).toBe(true);
    expect((await inbox(alice)).some((n) => n.title === 'Staff meeting')).toBe(false);
  });
});
