import { describe, expect, it } from 'vitest';
import { forbiddenReason, ipv6Groups } from '../src/domain/address-policy.ts';
import { generateSecret, sign, signedHeaders, verify } from '../src/domain/signature.ts';
import { nextDelay, parseSchedule } from '../src/domain/schedule.ts';
import { render, syntaxError, variablesOf } from '../src/domain/templates.ts';
import { makeEvent, type EventOf } from '@portico/kit';
import {
  formatMoney,
  messageFor,
  NOTIFYING_EVENTS,
  recipientOf,
  type NotifyingEvent,
} from '../src/domain/event-messages.ts';
import { dataFor } from './helpers/events.ts';

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['fc00::1', 'unique_local'],
    ['fd12:3456::1', 'unique_local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['::127.0.0.1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['not-an-ip', 'not_an_ip'],
  ])('refuses %s (%s)', (ip, reason) => {
    expect(forbiddenReason(ip)).toBe(reason);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('allows %s', (ip) => {
    expect(forbiddenReason(ip)).toBeNull();
  });

  it('expands IPv6 forms to eight groups', () => {
    expect(ipv6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups('1::8')).toEqual([1, 0, 0, 0, 0, 0, 0, 8]);
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups('1.2.3.4')).toBeNull();
  });
});

describe('Standard Webhooks signatures', () => {
  it('signs id.timestamp.body with the decoded secret and verifies it', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    const h = signedHeaders(secret, 'msg_1', 1_700_000_000, '{"a":1}');
    expect(verify(secret, h, '{"a":1}', { now: 1_700_000_010 })).toBe(true);
    expect(verify(secret, h, '{"a":2}', { now: 1_700_000_010 })).toBe(false);
    expect(verify(generateSecret(), h, '{"a":1}', { now: 1_700_000_010 })).toBe(false);
    expect(verify(secret, h, '{"a":1}', { now: 1_700_001_000 })).toBe(false); // too old
    expect(
      verify(secret, { ...h, 'webhook-signature': `v1,bogus ${h['webhook-signature']}` }, '{"a":1}', {
        now: 1_700_000_000,
      }),
    ).toBe(true);
  });

  it('matches the Standard Webhooks reference vector', () => {
    // From the specification's reference libraries (standard-webhooks, webhook_test).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });
});

describe('retry schedules', () => {
  it('parses units and gives the delay after each failure, then null', () => {
    const s = parseSchedule('0, 5s, 5m, 2h, 50ms, 1.5');
    expect(s).toEqual([0, 5_000, 300_000, 7_200_000, 50, 1_500]);
    expect(nextDelay(s, 1)).toBe(5_000);
    expect(nextDelay(s, 6)).toBeNull();
    expect(() => parseSchedule('5 minutes')).toThrow();
    const day = parseSchedule('0,5s,5m,30m,2h,5h,10h,10h').reduce((a, b) => a + b, 0);
    expect(day / 3_600_000).toBeGreaterThan(20);
    expect(day / 3_600_000).toBeLessThan(30);
  });
});

describe('templates', () => {
  it('lists, renders and names missing variables', () => {
    expect(variablesOf('Hi {{ name }}', '{{name}} owes {{amount}}')).toEqual(['name', 'amount']);
    expect(render('Hi {{ name }}, {{name}}!', { name: 'Ada' })).toEqual({ ok: true, text: 'Hi Ada, Ada!' });
    expect(render('{{a}} {{b}} {{c}}', { b: 1 })).toEqual({ ok: false, missing: ['a', 'c'] });
    expect(render('{{a}}', { a: '{{b}}' })).toEqual({ ok: true, text: '{{b}}' });
    expect(syntaxError('Hi {{name')).not.toBeNull();
    expect(syntaxError('Hi {{}}')).not.toBeNull();
    expect(syntaxError('Hi {{name}}')).toBeNull();
  });
});

/** An envelope built from loose test data (the consumer's input as it may arrive). */
const asEvent = (type: NotifyingEvent, data: unknown) =>
  makeEvent('test', type, data) as unknown as EventOf<NotifyingEvent>;

describe('event messages', () => {
  it('has a title and body and a recipient for every consumed event', () => {
    for (const type of NOTIFYING_EVENTS) {
      const data = dataFor(type, 'person-1', 'other');
      expect(recipientOf(type, data), type).toBe('person-1');
      const m = messageFor(asEvent(type, data))!;
      expect(m.title.length, type).toBeGreaterThan(0);
      expect(m.body, type).not.toContain('undefined');
    }
    expect(recipientOf('task.assigned', dataFor('task.assigned', null))).toBeNull();
    expect(messageFor(asEvent('task.completed', dataFor('task.completed', 'p')))!.title).toBe(
      'Task completed',
    );
  });

  it('formats minor units by the currency’s exponent', () => {
    expect(formatMoney(125_000, 'KES')).toBe('KES 1,250.00');
    expect(formatMoney(500, 'JPY')).toBe('JPY 500');
    expect(formatMoney(1, 'nope')).toBe('1 nope');
  });
});
