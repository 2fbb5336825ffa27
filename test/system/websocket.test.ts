/**
 * WebSockets through the gateway in front of the real identity and notifications services: the
 * handshake is authenticated like any request (bearer header, or a single-use ticket for
 * browsers), the notification stream arrives live as messages, an unauthenticated handshake is
 * refused with a 401 problem before any frame, and a connection is closed (1008) once its
 * session is logged out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

interface Refusal {
  status: number;
  body: { code?: string };
  headers: Record<string, string | string[] | undefined>;
}

/** A client connection: every message it received, how it closed, or the HTTP refusal. */
interface Client {
  socket: WebSocket;
  messages: { type: string; id: string; data: { title: string; body: string } }[];
  closed: Promise<{ code: number; reason: string }>;
}

describe.skipIf(skip)(`WebSockets through the gateway (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let alice: Session;
  const open: WebSocket[] = [];
  const wsUrl = (path: string) => sys.url.replace(/^http/, 'ws') + path;

  beforeAll(async () => {
    sys = await startSystem({
      services: ['identity', 'notifications'],
      env: { PORTICO_SSE_HEARTBEAT_MS: '1000' },
    });
    [admin, alice] = await Promise.all([sys.admin(), sys.signUp()]);
  }, 180_000);
  afterAll(async () => {
    for (const s of open) s.terminate();
    await sys?.stop();
  });

  /** Opens a connection; resolves once open (a Client) or refused (the HTTP answer). */
  const connect = (path: string, headers: Record<string, string> = {}) =>
    new Promise<Client | Refusal>((resolve, reject) => {
      const socket = new WebSocket(wsUrl(path), { headers });
      open.push(socket);
      const messages: Client['messages'] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        socket.once('close', (code, reason) => r({ code, reason: String(reason) })),
      );
      socket.once('open', () => resolve({ socket, messages, closed }));
      socket.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += String(c)));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text), headers: res.headers }),
        );
      });
      socket.once('error', reject);
    });
  const asClient = (c: Client | Refusal): Client => {
    if ('status' in c) throw new Error(`refused: ${c.status} ${JSON.stringify(c.body)}`);
    return c;
  };
  const notify = (who: Session, title: string) =>
    admin.client.post('/api/v1/notifications', { user_id: who.id, title, body: 'sent live' });

  it('refuses an unauthenticated or forged handshake with a 401 problem, before any frame', async () => {
    const anonymous = await connect('/api/v1/notifications/stream');
    expect('status' in anonymous && anonymous.status).toBe(401);
    const refused = anonymous as Refusal;
    expect(refused.body.code).toBe('unauthenticated');
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="portico"');

    const forged = (await connect('/api/v1/notifications/stream', {
      authorization: 'Bearer not.a.token',
    })) as Refusal;
    expect([forged.status, forged.body.code]).toEqual([401, 'invalid_token']);

    const badTicket = (await connect('/api/v1/notifications/stream?ticket=' + 'x'.repeat(43))) as Refusal;
    expect([badTicket.status, badTicket.body.code]).toEqual([401, 'invalid_token']);

    // A route that does not take WebSockets says so.
    const tasks = (await connect('/api/v1/notifications', {
      authorization: `Bearer ${alice.access_token}`,
    })) as Refusal;
    expect([tasks.status, tasks.body.code]).toEqual([400, 'malformed_request']);
  });

  it('delivers a notification live over a WebSocket opened with a bearer header', async () => {
    const client = asClient(
      await connect('/api/v1/notifications/stream', { authorization: `Bearer ${alice.access_token}` }),
    );
    expect((await notify(alice, 'Over the socket')).status).toBe(201);
    const got = await sys.eventually(async () =>
      client.messages.find((m) => m.data.title === 'Over the socket'),
    );
    expect(got).toMatchObject({ type: 'notification', data: { body: 'sent live' } });
    expect(Number(got.id)).toBeGreaterThan(0);
    client.socket.close();
  });

  it('opens with a single-use ticket (browsers), and closes the connection once the session logs out', async () => {
    const bob = await sys.signUp();
    const ticket = await bob.client.post('/api/v1/ws-tickets', {});
    expect(ticket.status).toBe(201);
    expect(ticket.headers.get('cache-control')).toBe('no-store');
    const path = `/api/v1/notifications/stream?ticket=${ticket.body.ticket}`;
    const client = asClient(await connect(path));

    // Used once: the same ticket again is refused.
    const again = (await connect(path)) as Refusal;
    expect([again.status, again.body.code]).toEqual([401, 'invalid_token']);

    await notify(bob, 'Ticket stream');
    await sys.eventually(async () => client.messages.some((m) => m.data.title === 'Ticket stream'));

    const out = await bob.client.post('/api/v1/auth/logout', { refresh_token: bob.refresh_token });
    expect(out.status).toBeLessThan(300);
    // The gateway's revocation sweep closes it (every second); the test's own timeout bounds the wait.
    expect(await client.closed).toEqual({ code: 1008, reason: 'credential revoked' });
  });

  it('caps the connections one caller holds open', async () => {
    const carol = await sys.signUp();
    const auth = { authorization: `Bearer ${carol.access_token}` };
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => connect('/api/v1/notifications/stream', auth)),
    );
    for (const c of clients) asClient(c);
    const sixth = (await connect('/api/v1/notifications/stream', auth)) as Refusal;
    expect([sixth.status, sixth.body.code]).toEqual([429, 'rate_limited']);
    const first = clients[0] as Client;
    first.socket.close();
    await first.closed;
    await sys.eventually(async () => {
      const c = await connect('/api/v1/notifications/stream', auth);
      return !('status' in c);
    });
  });
});
