import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startService, type RunningService } from '@portico/kit/runtime';
import { matrixUnavailable, startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService, { createNotificationsService } from '../src/service.ts';
import { eventFor } from './helpers/events.ts';
import { openSse, type SseClient } from '@portico/kit/testing';
import { passportHeaders } from './helpers/passport.ts';

const skip = await matrixUnavailable();
let n = 0;
const uid = (p = 'u') => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;

describe.skipIf(skip)('the live notification stream (SSE)', () => {
  let env: TestServices;
  let replica: RunningService | undefined;
  const open: SseClient[] = [];
  const streamOf = async (
    userId: string,
    headers: Record<string, string> = {},
    base = env.services.get('notifications')!.url,
  ) => {
    const c = await openSse(`${base}/api/v1/notifications/stream`, {
      ...passportHeaders(env.secret, userCaller(userId)),
      ...headers,
    });
    open.push(c);
    return c;
  };
  const staffSend = (userId: string, title: string) =>
    env
      .as('notifications', userCaller(uid('staff'), ['staff']))
      .post('/api/v1/notifications', { user_id: userId, title, body: 'b' });

  beforeAll(async () => {
    env = await startTestServices([notificationsService], { env: { PORTICO_SSE_HEARTBEAT_MS: '200' } });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await replica?.stop();
    await env?.stop();
  });

  it('pushes a notification to the user within a second of the event, unbuffered', async () => {
    const alice = uid('alice');
    const sse = await streamOf(alice);
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sse.headers.get('x-accel-buffering')).toBe('no');
    expect(sse.headers.get('cache-control')).toContain('no-cache');
    expect(sse.headers.get('content-encoding')).toBeNull();

    const event = eventFor('order.confirmed', alice);
    await env.bus.publish(event);
    const got = await sse.next(1_000);
    expect(got.event).toBe('notification');
    const data = JSON.parse(got.data);
    expect(data).toMatchObject({ user_id: alice, type: 'order.confirmed', title: 'Order confirmed' });
    expect(got.id).toBe(String(data.sequence));
  });

  it('sends heartbeat comments', async () => {
    const sse = await streamOf(uid('hb'));
    expect(sse.status).toBe(200);
    // Two heartbeats (every 200 ms here) on a quiet stream, which stays open between them.
    const heartbeats = await env.eventually(async () => {
      const n = sse.comments.filter((c) => c === 'heartbeat').length;
      return n >= 2 && n;
    });
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    expect(sse.ended()).toBe(false);
  });

  it('resumes after Last-Event-ID with what was missed, in order, and nothing older', async () => {
    const bob = uid('bob');
    const first = await streamOf(bob);
    await staffSend(bob, 'one');
    const one = await first.next();
    first.close();
    await staffSend(bob, 'two');
    await staffSend(bob, 'three');
    const again = await streamOf(bob, { 'last-event-id': one.id! });
    const two = await again.next();
    const three = await again.next();
    expect([JSON.parse(two.data).title, JSON.parse(three.data).title]).toEqual(['two', 'three']);
    expect(Number(three.id)).toBeGreaterThan(Number(two.id));
    expect(Number(two.id)).toBeGreaterThan(Number(one.id));
    // Live ones keep coming after the replay.
    await staffSend(bob, 'four');
    expect(JSON.parse((await again.next()).data).title).toBe('four');
  });

  it('shows a user only their own notifications', async () => {
    const carol = uid('carol');
    const dave = uid('dave');
    const daveStream = await streamOf(dave);
    const carolStream = await streamOf(carol);
    await staffSend(carol, 'for carol');
    expect(JSON.parse((await carolStream.next()).data).title).toBe('for carol');
    await staffSend(dave, 'for dave');
    expect(JSON.parse((await daveStream.next()).data).title).toBe('for dave');
  });

  it('refuses a request without a gateway passport and a malformed Last-Event-ID', async () => {
    const url = `${env.services.get('notifications')!.url}/api/v1/notifications/stream`;
    expect((await fetch(url)).status).toBe(401);
    const bad = await env
      .as('notifications', userCaller(uid()))
      .get('/api/v1/notifications/stream', { 'last-event-id': 'abc' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('Last-Event-ID');
  });

  it('reaches a stream held by another replica', async () => {
    replica = await startService(createNotificationsService(), {
      db: env.db,
      bus: env.bus,
      passportSecret: env.secret,
      logger: createLogger({ level: 'silent' }),
      env: { ...process.env, PORTICO_SSE_HEARTBEAT_MS: '200' },
      dataDir: path.join(os.tmpdir(), `portico-notifications-replica-${process.pid}`),
    });
    const erin = uid('erin');
    const onReplica = await streamOf(erin, {}, replica.url);
    // Created through the first replica's HTTP API…
    await staffSend(erin, 'via replica one');
    expect(JSON.parse((await onReplica.next()).data).title).toBe('via replica one');
    // …and by an event, whichever replica consumes it.
    await env.bus.publish(eventFor('task.assigned', erin));
    expect(JSON.parse((await onReplica.next()).data).type).toBe('task.assigned');
  });

  it('closes open streams cleanly at shutdown', async () => {
    const sse = await streamOf(uid('frank'));
    expect(sse.status).toBe(200);
    expect(sse.ended()).toBe(false);
    await env.restart('notifications');
    // The server ended the stream (the client did not abort it), so the client sees its end…
    await env.eventually(async () => sse.ended());
    await expect(sse.next(100)).rejects.toThrow('stream ended');
    // …and can reconnect to the restarted service.
    const again = await streamOf(uid('frank'));
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toMatch(/^text\/event-stream/);
  });
});
