/**
 * Tasks end to end, through the gateway: identity issues the tokens, tasks owns the work,
 * notifications tells the assignee about an assignment and the creator about a completion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

interface Notification {
  type?: string;
  title: string;
  body: string;
  data?: { task_id?: string } | null;
}

describe.skipIf(skip)(`tasks through the gateway (${systemMode})`, () => {
  let sys: System;
  let alice: Session;
  let bob: Session;
  let eve: Session;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'tasks', 'notifications'] });
    [alice, bob, eve] = await Promise.all([sys.signUp(), sys.signUp(), sys.signUp()]);
    // Assigning other people needs tasks:assign (staff); eve stays a plain user.
    alice = await sys.grantRoles(alice, ['user', 'staff']);
    bob = await sys.grantRoles(bob, ['user', 'staff']);
  }, 180_000);
  afterAll(() => sys?.stop());

  const notificationsOf = async (who: Session): Promise<Notification[]> => {
    const res = await who.client.get('/api/v1/notifications?limit=100');
    expect(res.status).toBe(200);
    return res.body.data as Notification[];
  };
  const about = (taskId: string, title: string) => (n: Notification) =>
    n.data?.task_id === taskId || n.body.includes(title);
  const isAssignment = (n: Notification) => n.type === 'task.assigned' || /assign/i.test(n.title);
  const isCompletion = (n: Notification) => n.title === 'Task completed';

  it('runs a task through its whole lifecycle and answers 409 to each invalid transition', async () => {
    const created = await alice.client.post('/api/v1/tasks', { title: 'Lifecycle', priority: 'high' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/tasks/${created.body.id}`);
    expect(created.body).toMatchObject({
      status: 'pending',
      priority: 'high',
      created_by: alice.id,
      completed_at: null,
    });
    const id = created.body.id as string;
    const act = (action: string) => alice.client.post(`/api/v1/tasks/${id}/${action}`);

    for (const bad of ['complete', 'reopen']) expect((await act(bad)).body.code).toBe('invalid_state');
    expect((await act('start')).body.status).toBe('in_progress');
    for (const bad of ['start', 'reopen']) {
      const res = await act(bad);
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const done = await act('complete');
    expect(done.body).toMatchObject({ status: 'completed', completed_at: expect.any(String) });
    for (const bad of ['start', 'complete', 'cancel']) expect((await act(bad)).status).toBe(409);
    expect((await act('reopen')).body).toMatchObject({ status: 'pending', completed_at: null });
    expect((await act('cancel')).body.status).toBe('cancelled');
    for (const bad of ['start', 'complete', 'cancel', 'reopen']) expect((await act(bad)).status).toBe(409);
  });

  it('hides a task from other users (404 for read, update, delete and transitions)', async () => {
    const task = (await alice.client.post('/api/v1/tasks', { title: 'Private', assignee_id: bob.id })).body;
    expect((await eve.client.get(`/api/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await eve.client.patch(`/api/v1/tasks/${task.id}`, { title: 'mine' })).status).toBe(404);
    expect((await eve.client.delete(`/api/v1/tasks/${task.id}`)).status).toBe(404);
    for (const action of ['start', 'complete', 'cancel', 'reopen']) {
      const res = await eve.client.post(`/api/v1/tasks/${task.id}/${action}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
    const list = await eve.client.get('/api/v1/tasks');
    expect(list.body.data.map((t: { id: string }) => t.id)).not.toContain(task.id);
  });

  it('answers 403 to a plain user assigning someone else (the assignee would be mailed their text)', async () => {
    const res = await eve.client.post('/api/v1/tasks', {
      title: 'Free gift, click here',
      assignee_id: alice.id,
    });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].field).toBe('assignee_id');
    const own = await eve.client.post('/api/v1/tasks', { title: 'Mine', assignee_id: eve.id });
    expect(own.status).toBe(201);
  });

  it('names the assigner in the assignment notification', async () => {
    const title = `Named ${Date.now()}`;
    const task = (await alice.client.post('/api/v1/tasks', { title, assignee_id: bob.id })).body;
    const note = await sys.eventually(async () =>
      (await notificationsOf(bob)).find((n) => isAssignment(n) && about(task.id, title)(n)),
    );
    const me = (await alice.client.get('/api/v1/auth/me')).body as { full_name: string };
    expect(note.body).toContain(`${me.full_name} assigned you a task`);
    expect(note.body).toContain(`“${title}”`);
  });

  it('lets the assignee change the status but answers 403 to a title change or a delete', async () => {
    const task = (await alice.client.post('/api/v1/tasks', { title: 'Keep my name', assignee_id: bob.id }))
      .body;
    const rename = await bob.client.patch(`/api/v1/tasks/${task.id}`, { title: 'Bob’s now' });
    expect(rename.status).toBe(403);
    expect(rename.body.code).toBe('forbidden');
    expect((await bob.client.delete(`/api/v1/tasks/${task.id}`)).status).toBe(403);
    expect((await bob.client.patch(`/api/v1/tasks/${task.id}`, { status: 'in_progress' })).body.status).toBe(
      'in_progress',
    );
    expect((await alice.client.get(`/api/v1/tasks/${task.id}`)).body.title).toBe('Keep my name');
  });

  it('notifies the assignee of an assignment, and the creator exactly once of a completion', async () => {
    const title = `Quarterly report ${Date.now()}`;
    const task = (await alice.client.post('/api/v1/tasks', { title, assignee_id: bob.id })).body;
    const assigned = await sys.eventually(async () => {
      const mine = (await notificationsOf(bob)).filter((n) => isAssignment(n) && about(task.id, title)(n));
      return mine.length > 0 && mine;
    });
    expect(assigned).toHaveLength(1);

    expect((await bob.client.post(`/api/v1/tasks/${task.id}/start`)).status).toBe(200);
    const completions = await Promise.all(
      [1, 2].map(() => bob.client.post(`/api/v1/tasks/${task.id}/complete`)),
    );
    expect(completions.map((r) => r.status).sort()).toEqual([200, 409]);
    await sys.eventually(async () =>
      (await notificationsOf(alice)).some((n) => isCompletion(n) && about(task.id, title)(n)),
    );

    // A later event for alice proves everything before it has been handled: by the time her
    // next assignment shows up, a second "Task completed" would have too.
    const markerTitle = `Marker ${Date.now()}`;
    const marker = (await bob.client.post('/api/v1/tasks', { title: markerTitle, assignee_id: alice.id }))
      .body;
    await sys.eventually(async () =>
      (await notificationsOf(alice)).some((n) => isAssignment(n) && about(marker.id, markerTitle)(n)),
    );
    const aliceNotes = await notificationsOf(alice);
    expect(aliceNotes.filter((n) => isCompletion(n) && about(task.id, title)(n))).toHaveLength(1);
    expect(
      (await notificationsOf(bob)).filter((n) => isCompletion(n) && about(task.id, title)(n)),
    ).toHaveLength(0);
  });

  it('filters, sorts and pages a list through the gateway', async () => {
    const me = await sys.signUp();
    const day = 86_400_000;
    const specs = [
      { title: 'a', priority: 'low', due_at: new Date(Date.now() + 3 * day).toISOString() },
      { title: 'b', priority: 'urgent' },
      { title: 'c', priority: 'high', due_at: new Date(Date.now() - day).toISOString() },
      { title: 'd', priority: 'medium', due_at: new Date(Date.now() + day).toISOString() },
    ];
    for (const s of specs) expect((await me.client.post('/api/v1/tasks', s)).status).toBe(201);
    const titles: string[] = [];
    let url: string | null = '/api/v1/tasks?sort=-priority&limit=3';
    while (url) {
      const res: { status: number; body: any } = await me.client.get(url);
      expect(res.status).toBe(200);
      titles.push(...res.body.data.map((t: { title: string }) => t.title));
      url = res.body.next_cursor
        ? `/api/v1/tasks?sort=-priority&limit=3&cursor=${res.body.next_cursor}`
        : null;
    }
    expect(titles).toEqual(['b', 'c', 'd', 'a']);
    const byDue = await me.client.get('/api/v1/tasks?sort=due_at');
    expect(byDue.body.data.map((t: { title: string }) => t.title)).toEqual(['c', 'd', 'a', 'b']);
    const overdue = await me.client.get('/api/v1/tasks?overdue=true');
    expect(overdue.body.data.map((t: { title: string }) => t.title)).toEqual(['c']);
    const bad = await me.client.get('/api/v1/tasks?sort=title');
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'sort' })]);
  });

  it('keeps categories per user: 409 for a duplicate name, 422 for a bad colour, 404 for another’s', async () => {
    const cat = await alice.client.post('/api/v1/categories', { name: 'Work', color: '#336699' });
    expect(cat.status).toBe(201);
    expect((await alice.client.post('/api/v1/categories', { name: 'work', color: '#000000' })).status).toBe(
      409,
    );
    expect((await alice.client.post('/api/v1/categories', { name: 'Play', color: 'blue' })).status).toBe(422);
    expect((await eve.client.get(`/api/v1/categories/${cat.body.id}`)).status).toBe(404);
    const filed = await eve.client.post('/api/v1/tasks', { title: 'x', category_id: cat.body.id });
    expect(filed.status).toBe(422);
    expect(filed.body.errors).toEqual([expect.objectContaining({ field: 'category_id' })]);
    expect(
      (await alice.client.post('/api/v1/tasks', { title: 'filed', category_id: cat.body.id })).status,
    ).toBe(201);
  });

  it('answers 401 to a request without credentials', async () => {
    expect((await sys.anonymous.get('/api/v1/tasks')).status).toBe(401);
    expect((await sys.anonymous.post('/api/v1/categories', { name: 'x', color: '#000000' })).status).toBe(
      401,
    );
  });
});
