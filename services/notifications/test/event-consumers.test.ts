/** Other services' events → notifications and mail for the person concerned, exactly once. */
import { describe, expect, it } from 'vitest';
import { matrixUnavailable } from '@portico/kit/testing';
import { uid, useNotifications } from './helpers/service.ts';
import { NOTIFYING_EVENTS } from '../src/domain/event-messages.ts';
import { eventFor } from './helpers/events.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)('notifications from consumed events', () => {
  const svc = useNotifications();
  const { as, listOf, readModel } = svc;

  /** Publishes a marker event for `person` and waits for it: everything published before it has been consumed. */
  const settle = async (person: string) => {
    const marker = eventFor('order.cancelled', person);
    await svc.env.bus.publish(marker);
    await svc.env.eventually(async () =>
      (await listOf(person, '?type=order.cancelled&limit=100')).some(
        (n) => n.data?.order_id === (marker.data as any).order_id,
      ),
    );
  };

  it('turns user.registered into a welcome notification and a welcome email in the dev mailbox', async () => {
    const alice = uid('alice');
    await svc.env.bus.publish(eventFor('user.registered', alice));
    const [welcome] = await svc.env.eventually(async () => {
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
    const mail = await svc.env.eventually(async () => {
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
      await svc.env.bus.publish(ev);
      await svc.env.bus.publish(ev); // the same event object again: at-least-once delivery
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
    await svc.env.bus.publish(ev);
    const mine = eventFor('grade.recorded', person);
    await svc.env.bus.publish(mine);
    await svc.env.eventually(async () => (await listOf(person)).length === 1);
    const rows = await svc.env.services
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
    await svc.env.bus.publish(ev);
    await svc.env.eventually(async () => (await listOf(person)).length === 1);
    // A copy of the event with the same id but handled by another consumer name: only the unique key stops it.
    const { notifyFromEvent, Effects } = await import('../src/commands/dispatch.ts');
    const db = svc.env.services.get('notifications')!.deps.db;
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
    await svc.env.bus.publish(eventFor('user.registered', person));
    await svc.env.eventually(() => readModel(person));
    await svc.env.bus.publish(eventFor('payment.received', person));
    const admin = as(uid('admin'), ['admin']);
    const mail = await svc.env.eventually(async () => {
      const r = await admin.get(`/api/v1/notifications/dev-mailbox?to=${person}@example.test`);
      return r.body.data.find((m: any) => m.subject === 'Payment received');
    });
    expect(mail.body).toContain('KES 250.00');
    expect(await listOf(person)).toEqual([]);
  });
});
