import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { matrixUnavailable, startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService from '../src/service.ts';
import { eventFor } from './helpers/events.ts';

const skip = await matrixUnavailable();
let n = 0;
const uid = (p = 'u') => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

describe.skipIf(skip)('email over SMTP', () => {
  let env: TestServices;
  let smtp: SMTPServer;
  const inbox: Mail[] = [];
  /** Recipients whose next message the server refuses once (a transient failure). */
  const refuseOnce = new Set<string>();
  const as = (id: string, roles = ['user']) => env.as('notifications', userCaller(id, roles));
  const mailTo = (address: string) => inbox.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          const refused = to.find((a) => refuseOnce.delete(a));
          if (refused)
            return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const port = (smtp.server.address() as AddressInfo).port;
    env = await startTestServices([notificationsService], {
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        SMTP_FROM: 'Portico <no-reply@portico.test>',
        PORTICO_MAIL_POLL_MS: '50',
        PORTICO_MAIL_RETRY_SCHEDULE: '0,50ms,50ms',
        PORTICO_BULK_POLL_MS: '50',
      },
    });
  });
  afterAll(async () => {
    await env?.stop();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  const register = async (id: string) => {
    await env.bus.publish(eventFor('user.registered', id));
    const db = env.services.get('notifications')!.deps.db;
    await env.eventually(() => db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst());
    return `${id}@example.test`;
  };

  it('mails the welcome message to the address from user.registered', async () => {
    const alice = uid('alice');
    const address = await register(alice);
    const [mail] = await env.eventually(async () => (mailTo(address).length ? mailTo(address) : null));
    expect(mail!.from).toBe('no-reply@portico.test');
    expect(mail!.raw).toMatch(/^Subject: Welcome to Portico\r?$/m);
    expect(mail!.raw).toContain(`Hi Person ${alice}, your account is ready.`);
  });

  it('names the sender of a task assignment, quotes the title inert, and escapes the HTML part', async () => {
    const mallory = uid('mallory');
    const victim = uid('victim');
    const registered = eventFor('user.registered', mallory);
    Object.assign(registered.data as object, { full_name: 'Mallory <b>Admin</b>' });
    await env.bus.publish(registered);
    const address = await register(victim);
    const title = 'Reset now<script>alert(1)</script>\r\nhttps://evil.example/login\u202e';
    const ev = eventFor('task.assigned', victim, mallory);
    Object.assign(ev.data as object, { title, actor_id: mallory });
    await env.eventually(
      async () =>
        await env.services
          .get('notifications')!
          .deps.db.selectFrom('users')
          .select('id')
          .where('id', '=', mallory)
          .executeTakeFirst(),
    );
    await env.bus.publish(ev);
    const mail = await env.eventually(async () =>
      mailTo(address).find((m) => m.raw.includes('Task assigned')),
    );
    // Quoted-printable: join soft line breaks, decode =XX (UTF-8).
    const decoded = Buffer.from(
      mail.raw
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
    expect(decoded).toContain('Mallory <b>Admin</b> assigned you a task');
    expect(decoded).toContain('https[:]//evil.example/login');
    expect(decoded).not.toContain('https://evil.example');
    expect(decoded).not.toContain('\u202e');
    const html = decoded.slice(decoded.indexOf('<!doctype html>'));
    expect(html).toContain('Mallory &lt;b&gt;Admin&lt;/b&gt; assigned you a task');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
  });

  it('sends a rendered email template to a real SMTP receiver', async () => {
    const bob = uid('bob');
    const address = await register(bob);
    const staff = as(uid('staff'), ['staff']);
    const tpl = await staff.post('/api/v1/notification-templates', {
      name: `invoice-${uid()}`,
      channel: 'email',
      title: 'Invoice {{number}} is ready',
      body: 'Dear {{name}}, invoice {{number}} for {{amount}} is due on {{due}}.',
    });
    expect(tpl.status).toBe(201);
    const sent = await staff.post(`/api/v1/notification-templates/${tpl.body.id}/send`, {
      user_ids: [bob],
      variables: { name: 'Bob', number: 'INV-000042', amount: 'KES 1,250.00', due: '2027-01-31' },
    });
    expect(sent.status).toBe(202);
    const mail = await env.eventually(async () => mailTo(address).find((m) => m.raw.includes('INV-000042')));
    expect(mail.raw).toMatch(/^Subject: Invoice INV-000042 is ready\r?$/m);
    expect(mail.raw).toContain('Dear Bob, invoice INV-000042 for KES 1,250.00 is due on 2027-01-31.');
    const job = await env.eventually(async () => {
      const j = (await staff.get(`/api/v1/notifications/bulk/${sent.body.id}`)).body;
      return j.status === 'completed' ? j : null;
    });
    expect(job).toMatchObject({ sent: 1, failed: 0, channel: 'email' });
    // The person's history records it, on the email channel.
    const [note] = (await as(bob).get('/api/v1/notifications?channel=email')).body.data;
    expect(note).toMatchObject({ channel: 'email', title: 'Invoice INV-000042 is ready' });
  });

  it('retries a message the server refused for a while, and records it as sent', async () => {
    const carol = uid('carol');
    const address = `${carol}@example.test`;
    refuseOnce.add(address);
    await register(carol);
    await env.eventually(async () => mailTo(address).length === 1);
    const admin = as(uid('admin'), ['admin']);
    // The server has the message; the worker records the send right after the server's answer.
    const row = await env.eventually(async () => {
      const [r] = (await admin.get(`/api/v1/notifications/dev-mailbox?to=${address}`)).body.data;
      return r?.status === 'sent' ? r : null;
    });
    expect(row).toMatchObject({ status: 'sent', attempts: 2, to: address });
  });

  it('refuses an email to someone whose address is unknown, naming user_id', async () => {
    const res = await as(uid('staff'), ['staff']).post('/api/v1/notifications', {
      user_id: uid('ghost'),
      title: 'Hi',
      body: 'x',
      channel: 'email',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('user_id');
  });
});
