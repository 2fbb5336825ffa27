/** The inbox: lists, reads, deletes, staff sends, and the static routes beside /notifications/{id}. */
import { describe, expect, it } from 'vitest';
import { makeEvent } from '@portico/kit';
import { matrixUnavailable } from '@portico/kit/testing';
import { uid, useNotifications } from './helpers/service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)('notifications inbox', () => {
  const svc = useNotifications();
  const { as, listOf } = svc;

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
    await svc.env.bus.publish(
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
});
