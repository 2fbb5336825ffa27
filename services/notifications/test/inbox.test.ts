import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import { matrixUnavailable, startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService from '../src/service.ts';
import { NOTIFYING_EVENTS } from '../src/domain/event-messages.ts';
import { eventFor } from './helpers/events.ts';

const skip = await matrixUnavailable();
let seq = 0;
const uid = (p = 'u') => `${p}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

describe.skipIf(skip)('notifications inbox and event consumers', () => {
  let env: TestServices;
  const as = (id: string, roles = ['user']) => env.as('notifications', userCaller(id, roles));
  const listOf = async (id: string, query = '') =>
    (await as(id).get(`/api/v1/notifications${query}`)).body.data as any[];

  beforeAll(async () => {
    env = await startTestServices([notificationsService], {
      env: { PORTICO_BULK_POLL_MS: '50', PORTICO_MAIL_POLL_MS: '50' },
    });
  });
  afterAll(() => env?.stop());

  const readModel = (id: string) =>
    env.services
      .get('notifications')!
      .deps.db.selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();

  /** Publishes a marker event for `person` and waits for it: everything published before it has been consumed. */
  const settle = async (person: string) => {
    const marker = eventFor('order.cancelled', person);
    await env.bus.publish(marker);
    await env.eventually(async () =>
      (await listOf(person, '?type=order.cancelled&limit=100')).some(
        (n) => n.data?.order_id === (marker.data as any).order_id,
      ),
    );
  };

  it('turns user.registered into a welcome notification and a welcome email in the dev mailbox', async () => {
    const alice = uid('alice');
    await env.bus.publish(eventFor('user.registered', alice));
    const [welcome] = await env.eventually(async () => {
      const l = await listOf(alice);
      return l.length ? l : null;
    });
    expect(welcome).toMatchObject({
      user_id: alice,
      type: 'user.registered',
      title: 'Welcome to Portico',
      channel: 'in_app',
      read: false,
    });
    const admin = as(uid('admin'), ['admin']);
    const mail = await env.eventually(async () => {
      const r = await admin.get(`/api/v1/notifications/dev-mailbox?to=${alice}@example.test`);
      return r.body.data.length && r.body.data[0].status === 'kept' ? r.body.data : null;
    });
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({
      to: `${alice}@example.test`,
      subject: 'Welcome to Portico',
      status: 'kept',
    });
  });

  it('makes exactly one notification for the right person from each consumed event, even when it is delivered twice', async () => {
    const person = uid('p');
    const other = uid('other');
    for (const type of NOTIFYING_EVENTS) {
      const ev = eventFor(type, person, other);
      await env.bus.publish(ev);
      await env.bus.publish(ev); // the same event object again: at-least-once delivery
    }
    await settle(person);
    const all = await listOf(person, '?limit=100');
    for (const type of NOTIFYING_EVENTS) {
      const ofType = all.filter((n) => n.type === type);
      // order.cancelled also has the marker
      expect(ofType.length, type).toBe(type === 'order.cancelled' ? 2 : 1);
    }
    expect(all.find((n) => n.type === 'task.completed')).toMatchObject({ title: 'Task completed' });
    expect(all.find((n) => n.type === 'task.assigned')).toMatchObject({ title: 'Task assigned to you' });
    // The other party of the tasks (creator of the assigned one, assignee of the completed one) got nothing.
    expect(await listOf(other)).toEqual([]);
  });

  it('skips events whose person is unknown (a student without a login)', async () => {
    const person = uid('p');
    const ev = eventFor('grade.recorded', null);
    await env.bus.publish(ev);
    const mine = eventFor('grade.recorded', person);
    await env.bus.publish(mine);
    await env.eventually(async () => (await listOf(person)).length === 1);
    const rows = await env.services
      .get('notifications')!
      .deps.db.selectFrom('notifications')
      .select('id')
      .where('source_event_id', '=', ev.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('keeps one notification per event and person even if a consumer sees the event again past its inbox', async () => {
    const person = uid('p');
    const ev = eventFor('invoice.issued', person);
    await env.bus.publish(ev);
    await env.eventually(async () => (await listOf(person)).length === 1);
    // A copy of the event with the same id but handled by another consumer name: only the unique key stops it.
    const { notifyFromEvent, Effects } = await import('../src/commands/dispatch.ts');
    const db = env.services.get('notifications')!.deps.db;
    const again = await db
      .transaction()
      .execute((trx) =>
        notifyFromEvent(
          trx,
          ev,
          person,
          { title: 'x', body: 'y' },
          { prefs: { in_app: true, email: false, webhook: false, updated_at: null }, email: null },
          new Effects(),
        ),
      );
    expect(again).toBeNull();
    expect(await listOf(person)).toHaveLength(1);
  });

  it('respects preferences: with in-app turned off an event is mailed but leaves no inbox entry', async () => {
    const person = uid('p');
    const put = await as(person).put('/api/v1/notifications/preferences', {
      in_app: false,
      email: true,
      webhook: true,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ in_app: false, email: true, webhook: true });
    await env.bus.publish(eventFor('user.registered', person));
    await env.eventually(() => readModel(person));
    await env.bus.publish(eventFor('payment.received', person));
    const admin = as(uid('admin'), ['admin']);
    const mail = await env.eventually(async () => {
      const r = await admin.get(`/api/v1/notifications/dev-mailbox?to=${person}@example.test`);
      return r.body.data.find((m: any) => m.subject === 'Payment received');
    });
    expect(mail.body).toContain('KES 250.00');
    expect(await listOf(person)).toEqual([]);
  });

  it('lists newest first with an unread filter and cursor pages, and marks read one or all', async () => {
    const bob = uid('bob');
    const staff = as(uid('staff'), ['staff']);
    for (let i = 1; i <= 5; i++) {
      const r = await staff.post('/api/v1/notifications', {
        user_id: bob,
        title: `Note ${i}`,
        body: 'Hello',
      });
      expect(r.status).toBe(201);
      expect(r.headers.get('location')).toBe(`/api/v1/notifications/${r.body.id}`);
    }
    const page1 = await as(bob).get('/api/v1/notifications?limit=2');
    expect(page1.body.data.map((n: any) => n.title)).toEqual(['Note 5', 'Note 4']);
    expect(page1.body.has_more).toBe(true);
    expect(page1.headers.get('link')).toContain('rel="next"');
    const page2 = await as(bob).get(`/api/v1/notifications?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.data.map((n: any) => n.title)).toEqual(['Note 3', 'Note 2']);

    const read = await as(bob).post(`/api/v1/notifications/${page1.body.data[0].id}/read`);
    expect(read.status).toBe(200);
    expect(read.body.read).toBe(true);
    expect(Date.parse(read.body.read_at)).not.toBeNaN();
    expect((await listOf(bob, '?unread=true')).map((n) => n.title)).toEqual([
      'Note 4',
      'Note 3',
      'Note 2',
      'Note 1',
    ]);
    expect((await listOf(bob, '?unread=false')).map((n) => n.title)).toEqual(['Note 5']);

    const all = await as(bob).post('/api/v1/notifications/read-all');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ updated: 4 });
    expect(await listOf(bob, '?unread=true')).toEqual([]);
  });

  it('never shows or deletes one user’s notifications to another (404)', async () => {
    const carol = uid('carol');
    const dave = uid('dave');
    const sent = await as(uid('admin'), ['admin']).post('/api/v1/notifications', {
      user_id: carol,
      title: 'Private',
      body: 'For Carol',
    });
    const id = sent.body.id;
    expect((await as(dave).get(`/api/v1/notifications/${id}`)).status).toBe(404);
    expect((await as(dave).post(`/api/v1/notifications/${id}/read`)).status).toBe(404);
    const del = await as(dave).delete(`/api/v1/notifications/${id}`);
    expect(del.status).toBe(404);
    expect(del.body.code).toBe('not_found');
    expect(await listOf(dave, `?user_id=${carol}`)).toEqual([]);
    expect((await as(carol).get(`/api/v1/notifications/${id}`)).status).toBe(200);
    expect((await as(carol).delete(`/api/v1/notifications/${id}`)).status).toBe(204);
    expect((await as(carol).get(`/api/v1/notifications/${id}`)).status).toBe(404);
  });

  it('lets only admin and staff send, and refuses a channel the user turned off with channel_disabled', async () => {
    const erin = uid('erin');
    const user = await as(uid('u')).post('/api/v1/notifications', { user_id: erin, title: 'Hi', body: 'x' });
    expect(user.status).toBe(403);
    await as(erin).put('/api/v1/notifications/preferences', { in_app: true, email: false, webhook: true });
    await env.bus.publish(
      makeEvent('identity', 'user.registered', {
        user_id: erin,
        email: `${erin}@example.test`,
        full_name: 'Erin',
      }),
    );
    const res = await as(uid('staff'), ['staff']).post('/api/v1/notifications', {
      user_id: erin,
      title: 'Hi',
      body: 'x',
      channel: 'email',
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('channel_disabled');
    expect(res.body.errors[0].field).toBe('channel');
    const bad = await as(uid('staff'), ['staff']).post('/api/v1/notifications', {
      user_id: erin,
      title: 'Hi',
      body: 'x',
      channel: 'pigeon',
      extra: 1,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['channel', 'extra']);
  });

  it('keeps its static routes from being shadowed by /notifications/{id}', async () => {
    const me = as(uid('frank'));
    expect((await me.get('/api/v1/notifications/preferences')).body).toEqual({
      in_app: true,
      email: true,
      webhook: true,
      updated_at: null,
    });
    expect((await me.post('/api/v1/notifications/read-all')).body).toEqual({ updated: 0 });
    expect((await me.get('/api/v1/notifications/bulk/nope')).status).toBe(403); // a staff route, not "notification bulk"
    expect((await as(uid('s'), ['staff']).get('/api/v1/notifications/bulk/nope')).body.code).toBe(
      'not_found',
    );
    expect((await me.get('/api/v1/notifications/dev-mailbox')).status).toBe(403);
  });

  it('sends in bulk to 1,000 users in the background and shows progress until completed', async () => {
    const staff = as(uid('staff'), ['staff']);
    const users = Array.from({ length: 1000 }, (_, i) => `bulk-${seq}-${i}`);
    const res = await staff.post('/api/v1/notifications/bulk', {
      user_ids: users,
      title: 'Maintenance',
      body: 'Tonight 22:00',
      channel: 'in_app',
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ total: 1000, channel: 'in_app' });
    expect(['queued', 'running', 'completed']).toContain(res.body.status);
    const location = res.headers.get('location')!;
    const seen = new Set<number>();
    const done = await env.eventually(async () => {
      const job = (await staff.get(location)).body;
      seen.add(job.sent);
      return job.status === 'completed' ? job : null;
    }, 60_000);
    expect(done).toMatchObject({ status: 'completed', total: 1000, sent: 1000, failed: 0, skipped: 0 });
    expect(Date.parse(done.completed_at)).not.toBeNaN();
    const last = await listOf(users[999]!);
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ title: 'Maintenance', body: 'Tonight 22:00' });
  }, 90_000);

  it('sends in bulk to a role from the users read model', async () => {
    const [a, b, c] = [uid('inst'), uid('inst'), uid('plain')];
    for (const u of [a, b, c])
      await env.bus.publish(
        makeEvent('identity', 'user.registered', { user_id: u, email: `${u}@example.test`, full_name: u }),
      );
    for (const u of [a, b])
      await env.bus.publish(
        makeEvent('identity', 'user.roles_changed', {
          user_id: u,
          old_roles: ['user'],
          new_roles: ['user', 'instructor'],
          changed_by: 'admin',
        }),
      );
    await env.bus.publish(
      makeEvent('identity', 'user.disabled', { user_id: b, expires_at: new Date().toISOString() }),
    );
    // The read model is built asynchronously: wait until it has seen all of it.
    await env.eventually(
      async () =>
        (await readModel(b))?.status === 'disabled' && (await readModel(a))?.roles.includes('instructor'),
    );
    const admin = as(uid('admin'), ['admin']);
    const res = await admin.post('/api/v1/notifications/bulk', {
      role: 'instructor',
      title: 'Staff meeting',
      body: 'At 9',
    });
    expect(res.status).toBe(202);
    const job = res.body;
    const done = await env.eventually(async () => {
      const j = (await admin.get(`/api/v1/notifications/bulk/${job.id}`)).body;
      return j.status === 'completed' ? j : null;
    });
    expect(done.role).toBe('instructor');
    expect((await listOf(a)).some((n) => n.title === 'Staff meeting')).toBe(true);
    expect((await listOf(b)).some((n) => n.title === 'Staff meeting')).toBe(false);
    expect((await listOf(c)).some((n) => n.title === 'Staff meeting')).toBe(false);
    const both = await admin.post('/api/v1/notifications/bulk', {
      role: 'instructor',
      user_ids: [a],
      title: 'x',
      body: 'y',
    });
    expect(both.status).toBe(422);
  });

  it('counts users who turned the channel off as skipped in a bulk job', async () => {
    const off = uid('off');
    await as(off).put('/api/v1/notifications/preferences', { in_app: false, email: true, webhook: true });
    const staff = as(uid('staff'), ['staff']);
    const res = await staff.post('/api/v1/notifications/bulk', {
      user_ids: [off, uid('on')],
      title: 't',
      body: 'b',
    });
    const done = await env.eventually(async () => {
      const j = (await staff.get(`/api/v1/notifications/bulk/${res.body.id}`)).body;
      return j.status === 'completed' ? j : null;
    });
    expect(done).toMatchObject({ total: 2, sent: 1, skipped: 1, failed: 0 });
  });

  it('manages templates and sends them rendered; a missing variable is named in a 422', async () => {
    const staff = as(uid('staff'), ['staff']);
    const name = `reminder-${uid()}`;
    const created = await staff.post('/api/v1/notification-templates', {
      name,
      title: 'Hello {{ name }}',
      body: 'Your {{item}} is due on {{date}}.',
    });
    expect(created.status).toBe(201);
    expect(created.body.variables).toEqual(['name', 'item', 'date']);
    expect(created.headers.get('location')).toBe(`/api/v1/notification-templates/${created.body.id}`);
    expect((await staff.post('/api/v1/notification-templates', { name, title: 't', body: 'b' })).status).toBe(
      409,
    );
    const broken = await staff.post('/api/v1/notification-templates', {
      name: `${name}-2`,
      title: 'Hi {{',
      body: 'b',
    });
    expect(broken.status).toBe(422);
    expect(broken.body.errors[0].field).toBe('title');
    expect((await as(uid('u')).get('/api/v1/notification-templates')).status).toBe(403);

    const tpl = `/api/v1/notification-templates/${created.body.id}`;
    const patched = await staff.patch(tpl, { description: 'Due-date reminder' });
    expect(patched.body).toMatchObject({ description: 'Due-date reminder', name });
    expect(
      (await staff.get('/api/v1/notification-templates?limit=100')).body.data.some(
        (t: any) => t.id === created.body.id,
      ),
    ).toBe(true);

    const grace = uid('grace');
    const missing = await staff.post(`${tpl}/send`, { user_ids: [grace], variables: { name: 'Grace' } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: any) => e.field)).toEqual(['variables.item', 'variables.date']);
    expect(missing.body.detail).toContain('item');

    const sent = await staff.post(`${tpl}/send`, {
      user_ids: [grace],
      variables: { name: 'Grace', item: 'library book', date: '2027-03-01' },
    });
    expect(sent.status).toBe(202);
    const [n] = await env.eventually(async () => {
      const l = await listOf(grace);
      return l.length ? l : null;
    });
    expect(n).toMatchObject({ title: 'Hello Grace', body: 'Your library book is due on 2027-03-01.' });
    expect((await staff.delete(tpl)).status).toBe(204);
    expect((await staff.get(tpl)).status).toBe(404);
  });

  it('finishes a bulk job queued before a restart', async () => {
    // The service is down when the job is queued (as if it died right after accepting it).
    await env.services.get('notifications')!.stop();
    const { insertJob } = await import('../src/repository/bulk.ts');
    const store = await env.db.forService('notifications');
    const users = [uid('r'), uid('r')];
    const job = await store.db.transaction().execute((trx) =>
      insertJob(
        trx,
        {
          created_by: 'x',
          channel: 'in_app',
          title: 'After restart',
          body: 'b',
          template_id: null,
          role: null,
        },
        users,
      ),
    );
    await store.close();
    await env.restart('notifications');
    const staff = as(uid('staff'), ['staff']);
    const done = await env.eventually(async () => {
      const j = (await staff.get(`/api/v1/notifications/bulk/${job.id}`)).body;
      return j.status === 'completed' ? j : null;
    });
    expect(done.sent).toBe(2);
  });
});
