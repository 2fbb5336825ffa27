/** Bulk sends (to user ids, to a role, from templates) run by the bulk worker, across a restart. */
import { describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import { matrixUnavailable } from '@portico/kit/testing';
import { uid, useNotifications } from './helpers/service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)('notifications bulk sends and templates', () => {
  const svc = useNotifications();
  const { as, listOf, readModel } = svc;

  it('sends in bulk to 1,000 users in the background and shows progress until completed', async () => {
    const staff = as(uid('staff'), ['staff']);
    const users = Array.from({ length: 1000 }, (_, i) => `${uid('bulk')}-${i}`);
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
    const done = await svc.env.eventually(async () => {
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
      await svc.env.bus.publish(
        makeEvent('identity', 'user.registered', { user_id: u, email: `${u}@example.test`, full_name: u }),
      );
    for (const u of [a, b])
      await svc.env.bus.publish(
        makeEvent('identity', 'user.roles_changed', {
          user_id: u,
          old_roles: ['user'],
          new_roles: ['user', 'instructor'],
          changed_by: 'admin',
        }),
      );
    await svc.env.bus.publish(
      makeEvent('identity', 'user.disabled', { user_id: b, expires_at: new Date().toISOString() }),
    );
    // The read model is built asynchronously: wait until it has seen all of it.
    await svc.env.eventually(
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
    const done = await svc.env.eventually(async () => {
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
    const done = await svc.env.eventually(async () => {
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
    const [n] = await svc.env.eventually(async () => {
      const l = await listOf(grace);
      return l.length ? l : null;
    });
    expect(n).toMatchObject({ title: 'Hello Grace', body: 'Your library book is due on 2027-03-01.' });
    expect((await staff.delete(tpl)).status).toBe(204);
    expect((await staff.get(tpl)).status).toBe(404);
  });

  it('finishes a bulk job queued before a restart', async () => {
    // The service is down when the job is queued (as if it died right after accepting it).
    await svc.env.services.get('notifications')!.stop();
    const { insertJob } = await import('../src/repository/bulk.ts');
    const store = await svc.env.db.forService('notifications');
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
    await svc.env.restart('notifications');
    const staff = as(uid('staff'), ['staff']);
    const done = await svc.env.eventually(async () => {
      const j = (await staff.get(`/api/v1/notifications/bulk/${job.id}`)).body;
      return j.status === 'completed' ? j : null;
    });
    expect(done.sent).toBe(2);
  });
});
