import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { matrixUnavailable, startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService from '../src/service.ts';
import { WebhookSender } from '../src/delivery/webhook-sender.ts';
import { generateSecret } from '../src/domain/signature.ts';
import { eventFor } from './helpers/events.ts';
import { startReceiver, type Receiver } from '@portico/kit/testing';

const skip = await matrixUnavailable();
let n = 0;
const uid = (p = 'u') => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;

describe('webhook sender with private targets refused', () => {
  let rx: Receiver;
  let sender: WebhookSender;
  beforeAll(async () => {
    rx = await startReceiver();
    sender = new WebhookSender({ allowPrivate: false, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    await sender.close();
    await rx.close();
  });

  it('refuses loopback literals and names that resolve to loopback without connecting', async () => {
    for (const host of ['127.0.0.1', 'localhost', 'vm', '[::1]', '[::ffff:127.0.0.1]']) {
      const r = await sender.send(`http://${host}:${rx.port}/x`, generateSecret(), 'msg_1', '{}');
      expect(r.statusCode, host).toBeNull();
      expect(r.error, host).toMatch(/^refused: /);
    }
    expect(rx.received).toEqual([]);
  });

  it('connects when private targets are allowed (development)', async () => {
    const dev = new WebhookSender({ allowPrivate: true, timeoutMs: 2_000 });
    try {
      expect(
        (await dev.send(`http://localhost:${rx.port}/ok`, generateSecret(), 'msg_2', '{}')).statusCode,
      ).toBe(200);
    } finally {
      await dev.close();
    }
  });
});

describe.skipIf(skip)('webhook targets when private addresses are not allowed (the default)', () => {
  let env: TestServices;
  let rx: Receiver;
  const as = (id: string) => env.as('notifications', userCaller(id));

  beforeAll(async () => {
    env = await startTestServices([notificationsService], {
      env: {
        PORTICO_WEBHOOK_ALLOW_PRIVATE: 'false',
        PORTICO_WEBHOOK_RETRY_SCHEDULE: '0',
        PORTICO_WEBHOOK_POLL_MS: '50',
      },
    });
    rx = await startReceiver();
  });
  afterAll(async () => {
    await env?.stop();
    await rx?.close();
  });

  it('refuses at registration (422 naming url) any URL that is or resolves to a private address', async () => {
    const me = as(uid());
    const targets = [
      `http://127.0.0.1:${rx.port}/hook`,
      `http://localhost:${rx.port}/hook`,
      `http://vm:${rx.port}/hook`, // /etc/hosts maps it to 127.0.0.1
      'http://0x7f000001/hook', // 127.0.0.1 spelt in hex
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook', // IPv4-mapped IPv6
      'http://10.1.2.3/hook',
      'http://192.168.1.10/hook',
      'http://172.16.0.1/hook',
      'http://169.254.169.254/latest/meta-data', // cloud metadata (link-local)
      'http://100.64.0.1/hook', // CGNAT
      'http://[fd00::1]/hook', // unique-local
      'http://[fe80::1]/hook', // link-local
      'http://0.0.0.0/hook',
      'http://224.0.0.1/hook',
    ];
    for (const url of targets) {
      const res = await me.post('/api/v1/webhooks', { url, event_types: ['*'] });
      expect(res.status, url).toBe(422);
      expect(res.body.errors[0].field, url).toBe('url');
    }
    const patched = await me.post('/api/v1/webhooks', {
      url: 'http://93.184.215.14/hook',
      event_types: ['*'],
    });
    expect(patched.status).toBe(201); // a public address is fine
    const moved = await me.patch(`/api/v1/webhooks/${patched.body.id}`, {
      url: `http://localhost:${rx.port}/hook`,
    });
    expect(moved.status).toBe(422);
    expect(moved.body.errors[0].field).toBe('url');
  });

  it('refuses at delivery time when a registered name now resolves to loopback (or the URL is a loopback literal)', async () => {
    const owner = uid('owner');
    // As if registered while the names pointed elsewhere (DNS rebinding): write the rows directly.
    const db = env.services.get('notifications')!.deps.db;
    const ids: string[] = [];
    for (const url of [`http://localhost:${rx.port}/rebound`, `http://127.0.0.1:${rx.port}/literal`]) {
      const id = uuidv7();
      ids.push(id);
      await db
        .insertInto('webhook_endpoints')
        .values({
          id,
          user_id: owner,
          url,
          description: null,
          event_types: JSON.stringify(['*']),
          scope: 'own',
          secret: generateSecret(),
          status: 'active',
        })
        .execute();
    }
    await env.bus.publish(eventFor('order.confirmed', owner));
    for (const id of ids) {
      const [d] = await env.eventually(async () => {
        const l = (await as(owner).get(`/api/v1/webhooks/${id}/deliveries`)).body.data;
        return l.length && l[0].status === 'failed' ? l : null;
      });
      expect(d.attempts[0].status_code).toBeNull();
      expect(d.last_error).toMatch(/^refused: /);
    }
    expect(rx.received).toEqual([]);
  });
});
