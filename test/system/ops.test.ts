/**
 * The operator routes under /api/v1/ops, through the gateway in either mode: a real consumer
 * (notifications' `notify`) fails on a real event (the welcome of a new account) because its
 * database refuses the row — a fault injected with a check constraint — until the event is
 * parked; an admin lists it, replays it while the fault is still there (409, still parked) and
 * after it is gone (the welcome reaches the user's inbox). The live feed streams the events of
 * the platform to an admin and ends when the admin signs out. Nobody else reaches any of it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';
import { notificationLetters, parkWelcome, welcomes } from './dead-letters.ts';

const skip = await systemUnavailable();

/** Reads a server-sent event stream until `until` is true of what arrived (or the stream ends). */
async function readStream(
  url: string,
  token: string,
  until: (text: string) => boolean,
  onOpen?: () => Promise<unknown>,
): Promise<{ status: number; type: string | null; text: string; ended: boolean }> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
  if (res.status !== 200 || !res.body)
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text(), ended: true };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  const opened = onOpen?.();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    text += decoder.decode(value, { stream: true });
    if (until(text)) break;
  }
  await opened;
  ac.abort();
  return { status: res.status, type: res.headers.get('content-type'), text, ended };
}

describe.skipIf(skip)(`operator routes: dead letters and the live event feed (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let user: Session;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'notifications', 'tasks'] });
    [admin, user] = await Promise.all([sys.admin(), sys.signUp()]);
  }, 180_000);
  afterAll(() => sys?.stop());

  const letters = (status?: string) => notificationLetters(admin, status);

  it('refuses every operator route to anonymous callers (401) and to users who are not admins (403)', async () => {
    const routes: [string, string][] = [
      ['get', '/api/v1/ops/dead-letters'],
      ['post', '/api/v1/ops/dead-letters/notifications/x/replay'],
      ['get', '/api/v1/ops/events'],
    ];
    for (const [method, path] of routes) {
      const anonymous = method === 'get' ? await sys.anonymous.get(path) : await sys.anonymous.post(path);
      expect(anonymous.status, path).toBe(401);
      const plain = method === 'get' ? await user.client.get(path) : await user.client.post(path);
      expect(plain.status, path).toBe(403);
      expect(plain.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(plain.body.code).toBe('forbidden');
    }
    // A client cannot pose as the gateway or the CLI: the services' own routes are never routed.
    const internal = await admin.client.get('/internal/dead-letters');
    expect(internal.status).toBe(404);
  });

  it('lists an event a consumer could not handle and replays it once the fault is gone', async () => {
    const { newcomer, letter, clear } = await parkWelcome(sys, admin, 'ops_test_refuse');
    expect(letter).toMatchObject({
      service: 'notifications',
      consumer: 'notifications.notify',
      status: 'parked',
      data: { user_id: newcomer.id },
    });
    expect(letter.error).toContain('ops_test_refuse');
    expect(await welcomes(newcomer)).toBe(0);

    const replay = `/api/v1/ops/dead-letters/notifications/${letter.id}/replay`;
    // The fault is still there: the consumer fails again and the letter stays parked.
    const failed = await admin.client.post(replay);
    expect(failed.status).toBe(409);
    expect(failed.body.code).toBe('conflict');
    const still = (await letters()).find((d) => d.id === letter.id)!;
    expect(still).toMatchObject({ status: 'parked', attempts: letter.attempts + 1 });

    await clear();
    const done = await admin.client.post(replay);
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ service: 'notifications', id: letter.id, status: 'replayed' });
    expect(await welcomes(newcomer)).toBe(1);
    expect((await letters()).some((d) => d.id === letter.id)).toBe(false);
    const replayed = (await letters('replayed')).find((d) => d.id === letter.id)!;
    expect(replayed.replayed_at).not.toBeNull();

    const again = await admin.client.post(replay);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state');
    expect(await welcomes(newcomer)).toBe(1);
    for (const path of [
      '/api/v1/ops/dead-letters/notifications/01900000-0000-7000-8000-000000000000/replay',
      `/api/v1/ops/dead-letters/no-such-service/${letter.id}/replay`,
    ]) {
      const res = await admin.client.post(path);
      expect(res.status, path).toBe(404);
    }
  }, 90_000);

  it('answers 422 naming each bad query parameter, and pages with a cursor', async () => {
    const bad = await admin.client.get('/api/v1/ops/dead-letters?limit=500&status=lost&cursor=zz');
    expect(bad.status).toBe(422);
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'cursor',
      'limit',
      'status',
    ]);
    const page = await admin.client.get('/api/v1/ops/dead-letters?status=all&limit=1');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ has_more: expect.any(Boolean) });
    if (page.body.has_more) {
      const next = await admin.client.get(
        `/api/v1/ops/dead-letters?status=all&limit=1&cursor=${page.body.next_cursor}`,
      );
      expect(next.status).toBe(200);
      expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
    }
  });

  it('streams the domain events of the platform to an admin as they are published', async () => {
    const title = `Watched ${randomBytes(4).toString('hex')}`;
    const stream = await readStream(
      `${sys.url}/api/v1/ops/events`,
      admin.access_token,
      (text) => text.includes(title),
      // Once the stream is open (its first bytes arrived), something happens on the platform.
      () => sys.eventually(async () => (await user.client.post('/api/v1/tasks', { title })).status === 201),
    );
    expect(stream.status).toBe(200);
    expect(stream.type).toMatch(/^text\/event-stream/);
    const block = stream.text.split('\n\n').find((b) => b.includes(title))!;
    expect(block).toMatch(/^event: task\.created$/m);
    const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, any>;
    expect(data).toMatchObject({ type: 'task.created', source: 'tasks', data: { title } });
    expect(data.traceparent).toBeUndefined();
    expect(block).toMatch(new RegExp(`^id: ${data.id}$`, 'm'));
  });

  it('ends the stream when the admin signs out, and holds at most three streams per caller', async () => {
    const session = await sys.admin();
    const ended = await readStream(
      `${sys.url}/api/v1/ops/events`,
      session.access_token,
      (text) => text.includes('event: end'),
      () => session.client.post('/api/v1/auth/logout', { refresh_token: session.refresh_token }),
    );
    expect(ended.text).toMatch(/event: end\ndata: \{"reason":"credential revoked"\}/);

    const other = await sys.admin();
    const open = await Promise.all(
      [1, 2, 3].map(async () => {
        const ac = new AbortController();
        const res = await fetch(`${sys.url}/api/v1/ops/events`, {
          headers: { authorization: `Bearer ${other.access_token}` },
          signal: ac.signal,
        });
        expect(res.status).toBe(200);
        return ac;
      }),
    );
    const fourth = await other.client.get('/api/v1/ops/events');
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).toBe('5');
    for (const ac of open) ac.abort();
  });
});
