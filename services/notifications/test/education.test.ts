/**
 * The school's fee and absence events (issue "Education II") reach the student or staff member
 * they concern: one notification each, read through the inbox route as that person, even when
 * the bus delivers the event twice; the admin who decided an absence is told nothing.
 */
import { isDeepStrictEqual as isEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixUnavailable, startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService from '../src/service.ts';
import { eventFor } from './helpers/events.ts';

const skip = await matrixUnavailable();
let seq = 0;
const uid = (p: string) => `${p}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** What the person reads for each event of the fixtures in helpers/events.ts. */
const EXPECTED: Record<string, { title: string; body: string }> = {
  'invoice.paid': {
    title: 'Invoice INV-000042 paid',
    body: 'Invoice INV-000042 for KES 1,500.00 is paid in full. Thank you.',
  },
  'invoice.overdue': {
    title: 'Invoice INV-000042 is overdue',
    body: 'Invoice INV-000042 was due on 2027-01-31; KES 1,000.00 is still outstanding.',
  },
  'invoice.voided': {
    title: 'Invoice INV-000042 voided',
    body: 'Invoice INV-000042 for KES 1,500.00 was voided; nothing is owed on it.',
  },
  'payment.refunded': {
    title: 'Payment refunded',
    body: 'KES 200.00 of your payment was refunded.',
  },
  'absence.requested': {
    title: 'Absence requested',
    body: 'Your absence from 2027-02-01 to 2027-02-03 was filed and awaits a decision.',
  },
  'absence.approved': {
    title: 'Absence approved',
    body: 'Your absence from 2027-02-01 to 2027-02-03 was approved.',
  },
  'absence.rejected': {
    title: 'Absence rejected',
    body: 'Your absence from 2027-02-01 to 2027-02-03 was rejected.',
  },
};

describe.skipIf(skip)('notifications for fees and absences', () => {
  let env: TestServices;
  const inbox = async (id: string, query = '') => {
    const res = await env.as('notifications', userCaller(id, ['user'])).get(`/api/v1/notifications${query}`);
    expect(res.status).toBe(200);
    return res.body.data as { type: string; title: string; body: string; data: Record<string, unknown> }[];
  };

  beforeAll(async () => {
    env = await startTestServices([notificationsService]);
  });
  afterAll(() => env?.stop());

  for (const [type, expected] of Object.entries(EXPECTED)) {
    it(`tells the person concerned about ${type}, once although it is delivered twice`, async () => {
      const person = uid('p');
      const decider = uid('admin');
      const event = eventFor(type, person, decider);
      await env.bus.publish(event);
      await env.bus.publish(event); // at-least-once delivery: the same event again
      // A second, later event for the same person: once it is visible, the duplicate has been handled too.
      const later = eventFor(type, person, decider);
      await env.bus.publish(later);
      const mine = await env.eventually(async () => {
        const list = await inbox(person, `?type=${type}`);
        return list.length >= 2 ? list : null;
      });
      expect(mine).toHaveLength(2);
      const first = mine.find((n) => isEqual(n.data, event.data));
      expect(first).toMatchObject({ type, ...expected, data: event.data });
      expect(await inbox(decider)).toEqual([]);
    });
  }

  it('tells nobody when the student or staff member has no login', async () => {
    const person = uid('p');
    await env.bus.publish(eventFor('invoice.overdue', null));
    await env.bus.publish(eventFor('absence.rejected', null));
    await env.bus.publish(eventFor('payment.refunded', person));
    const list = await env.eventually(async () => {
      const l = await inbox(person);
      return l.length ? l : null;
    });
    expect(list.map((n) => n.type)).toEqual(['payment.refunded']);
  });
});
