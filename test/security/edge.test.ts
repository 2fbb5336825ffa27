/**
 * OWASP API Top 10 (2023) through the gateway — the edge:
 *   API2 broken authentication: forged tokens (alg none, HS256 keyed with the public key, a
 *        key of our own under the real kid, a tampered payload, expired), client-made passports
 *        and identity headers;
 *   API4 unrestricted resource consumption: body limits, page sizes, deep JSON;
 *   API7 SSRF: webhook targets on loopback, link-local metadata, private ranges, odd spellings
 *        and other schemes;
 *   API8 security misconfiguration: Cache-Control on credentials, nosniff, no X-Powered-By,
 *        CORS for unknown origins, TRACE, path tricks, request smuggling;
 *   API9 improper inventory: internal routes and other API versions are not reachable;
 *   API10 unsafe consumption: text from other users in notifications arrives inert.
 * Throttles behind a proxy are in proxy-throttle.test.ts, API-key scopes in api-key-scopes.test.ts.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from '../system/harness.ts';
import { ALL_SERVICES, expectProblem } from './platform.ts';

const skip = await systemUnavailable();
const TOKEN_TTL = 30;

/** Sends raw bytes and returns everything the gateway answers before closing (or 2 s of quiet). */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    let out = '';
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(quiet);
      sock.destroy();
      resolve(out);
    };
    sock.on('data', (d) => {
      out += d.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(done, 2000);
    });
    sock.on('end', done);
    sock.on('error', (err) => (out ? done() : reject(err)));
    sock.write(bytes);
    quiet = setTimeout(done, 5000);
  });
}

describe.skipIf(skip)(`the edge (${systemMode})`, () => {
  let sys: System;
  let alice: Session;
  let bob: Session;
  beforeAll(async () => {
    sys = await startSystem({
      services: ALL_SERVICES,
      env: { PORTICO_WEBHOOK_ALLOW_PRIVATE: 'false' },
    });
    [alice, bob] = await Promise.all([sys.signUp(), sys.signUp()]);
    alice = await sys.grantRoles(alice, ['user', 'staff']);
  }, 180_000);
  afterAll(() => sys?.stop());

  const refusedToken = async (what: string, token: string) => {
    const res = await sys.withToken(token).get('/api/v1/auth/me');
    expectProblem(what, res, 401);
    expect(res.headers.get('www-authenticate'), what).toMatch(/^Bearer/);
    expect(res.headers.get('cache-control'), what).toBe('no-store');
  };

  describe('API2: authentication', () => {
    it('refuses forged tokens: alg none, HS256 keyed with the public key, our own key, a tampered payload', async () => {
      const real = alice.access_token;
      const claims = decodeJwt(real);
      const header = decodeProtectedHeader(real);
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const admin = await sys.admin();
      const asAdmin = { ...claims, sub: admin.id, roles: ['admin'] };

      await refusedToken('alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(asAdmin)}.`);
      await refusedToken('alg none, no dot', `${b64({ alg: 'none' })}.${b64(asAdmin)}`);
      const jwks = (await sys.anonymous.get('/.well-known/jwks.json')).body as { keys: object[] };
      const confused = await new SignJWT(asAdmin)
        .setProtectedHeader({ alg: 'HS256', kid: header.kid! })
        .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
      await refusedToken('HS256 with the public key', confused);
      const { privateKey } = await generateKeyPair(header.alg!, { extractable: true });
      expect(await exportJWK(privateKey)).toHaveProperty('d');
      const ours = await new SignJWT(asAdmin)
        .setProtectedHeader({ alg: header.alg!, kid: header.kid! })
        .sign(privateKey);
      await refusedToken('our own key under the real kid', ours);
      const [h, , sig] = real.split('.');
      await refusedToken('tampered payload', `${h}.${b64(asAdmin)}.${sig}`);
      await refusedToken('garbage', 'not.a.token');
      await refusedToken('empty segments', '..');
    });

    it('ignores passports and identity headers a client sends', async () => {
      const forged = {
        'x-portico-passport': 'p1.eyJzdWIiOiJhZG1pbiIsInJvbGVzIjpbImFkbWluIl19.AAAA',
        'x-user-id': 'admin',
        'x-user-roles': 'admin',
        'x-forwarded-user': 'admin',
        'x-authenticated-userid': 'admin',
      };
      expectProblem('forged passport, no token', await sys.anonymous.get('/api/v1/users', forged), 401);
      const res = await bob.client.get('/api/v1/users', forged);
      expectProblem('forged headers with a user token', res, 403);
      expect((await bob.client.get('/api/v1/auth/me', forged)).body.id).toBe(bob.id);
    });
  });

  describe('API4: resource consumption', () => {
    it('refuses bodies over the limit, declared or chunked, with 413', async () => {
      const big = JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 10) });
      // The gateway reads what the client still sends after its 413 (within bounds), so the
      // client sees the answer rather than a reset connection.
      expectProblem('declared', await bob.client.post('/api/v1/tasks', big), 413, 'payload_too_large');
      const res = await fetch(`${sys.url}/api/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bob.access_token}`, 'content-type': 'application/json' },
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(100_000)));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
    });

    it('caps page sizes and survives deeply nested JSON', async () => {
      expectProblem('limit', await bob.client.get('/api/v1/tasks?limit=100000'), 422, 'validation_failed');
      const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
      const res = await bob.client.post('/api/v1/tasks', deep);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });
  });

  describe('API7: server-side request forgery', () => {
    const TARGETS = [
      'http://127.0.0.1/hook',
      'http://localhost:8000/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://10.0.0.1/hook',
      'http://192.168.1.1/hook',
      'http://172.16.0.1/hook',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://127.1/hook',
      'http://2130706433/hook',
      'http://0x7f000001/hook',
      'http://017700000001/hook',
      'http://user:pass@127.0.0.1/hook',
      'file:///etc/passwd',
      'gopher://127.0.0.1:6379/_INFO',
      'ftp://93.184.216.34/x',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://127.0.0.1.nip.io/hook',
    ];
    it.each(TARGETS)('refuses a webhook to %s with 422 naming url', async (url) => {
      const res = await bob.client.post('/api/v1/webhooks', { url, event_types: ['order.confirmed'] });
      expectProblem(url, res, 422, 'validation_failed');
      expect(res.body.errors[0].field).toBe('url');
    });

    it('refuses moving an existing webhook to a private target', async () => {
      const hook = await bob.client.post('/api/v1/webhooks', {
        url: 'https://93.184.216.34/hook',
        event_types: ['order.confirmed'],
      });
      expect(hook.status).toBe(201);
      const res = await bob.client.patch(`/api/v1/webhooks/${hook.body.id}`, {
        url: 'http://169.254.169.254/',
      });
      expectProblem('patch to metadata', res, 422, 'validation_failed');
    });
  });

  describe('API8: misconfiguration', () => {
    it('marks token responses and every credentialed answer Cache-Control: no-store', async () => {
      const login = await sys.anonymous.post('/api/v1/auth/login', {
        email: bob.email,
        password: bob.password,
      });
      expect(login.headers.get('cache-control')).toBe('no-store');
      const failed = await sys.anonymous.post('/api/v1/auth/login', {
        email: bob.email,
        password: 'nope-nope-nope',
      });
      expect(failed.headers.get('cache-control')).toBe('no-store');
      const refresh = await sys.anonymous.post('/api/v1/auth/refresh', {
        refresh_token: login.body.refresh_token,
      });
      expect(refresh.status).toBe(200);
      expect(refresh.headers.get('cache-control')).toBe('no-store');
      const client = sys.withToken(refresh.body.access_token);
      for (const path of ['/api/v1/auth/me', '/api/v1/tasks', '/api/v1/notifications', '/api/v1/users']) {
        const res = await client.get(path);
        expect(res.headers.get('cache-control'), `${path} (${res.status})`).toBe('no-store');
      }
      // Public, anonymous reads may be cached.
      expect((await sys.anonymous.get('/.well-known/jwks.json')).headers.get('cache-control')).not.toBe(
        'no-store',
      );
    });

    it('sends nosniff, no X-Powered-By, and no CORS grant to an unknown origin', async () => {
      const res = await bob.client.get('/api/v1/auth/me', { origin: 'https://evil.example' });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const pre = await fetch(`${sys.url}/api/v1/auth/me`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
      });
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const trace = await raw(
        sys.url,
        'TRACE /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nX-Secret: s3cr3t\r\n\r\n',
      );
      expect(trace).toMatch(/^HTTP\/1\.1 (400|401|404|405|501)/);
      expect(trace).not.toContain('s3cr3t');
    });

    const TRICKS = [
      '/api/v1/users/../auth/me',
      '/api/v1/%2e%2e/internal/api-keys/verify',
      '/api/v1/tasks/..%2f..%2fusers',
      '/api/v1/tasks/%2e%2e/%2e%2e/users',
      '//api/v1/users',
      '/api/v1//users',
      '/api/v1/users%00',
      '/api/v1/users%2500',
      '/API/V1/USERS',
      '/api/v1/users;x=y',
      '/api/v1\\users',
      '/api/v1/%c0%ae%c0%ae/users',
      '/api/v1/users/%ZZ',
      '/.%2e/internal/api-keys/verify',
      '/internal/api-keys/verify',
    ];
    it.each(TRICKS)('answers %s without reaching what it should not', async (path) => {
      const res = await raw(
        sys.url,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bob.access_token}\r\nConnection: close\r\n\r\n`,
      );
      const status = Number(res.slice(9, 12));
      expect(status, `${path} → ${res.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    });

    it('refuses request smuggling: Content-Length with Transfer-Encoding, two lengths, obfuscated chunking', async () => {
      const smuggled = 'GET /api/v1/users HTTP/1.1\r\nHost: x\r\n\r\n';
      for (const head of [
        `Content-Length: ${smuggled.length + 5}\r\nTransfer-Encoding: chunked`,
        'Content-Length: 4\r\nContent-Length: 40',
        'Transfer-Encoding: xchunked',
        'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity',
      ]) {
        const out = await raw(
          sys.url,
          `POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bob.access_token}\r\n${head}\r\n\r\n0\r\n\r\n${smuggled}`,
        );
        const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
        expect(statuses[0], `${head}: ${out.slice(0, 120)}`).toBeGreaterThanOrEqual(400);
        // Nothing after the refusal is answered as a second request.
        expect(
          statuses.filter((s) => s === 200 || s === 403),
          head,
        ).toEqual([]);
      }
    });
  });

  describe('API9: inventory', () => {
    it('does not expose internal routes, other versions, or service health', async () => {
      for (const path of [
        '/internal/api-keys/verify',
        '/api/v2/users',
        '/api/v0/tasks',
        '/api/v1/internal/jobs',
      ]) {
        const res = await bob.client.post(path, { key: 'pk_x' });
        expect([404, 405], `${path} → ${res.status}`).toContain(res.status);
      }
      const doc = (await sys.anonymous.get('/openapi.json')).body as { paths: Record<string, unknown> };
      const paths = Object.keys(doc.paths);
      expect(paths.length).toBeGreaterThan(50);
      // Public outside /api/v1: discovery and keys, the OpenID Provider's endpoints, problem pages.
      const publicOutside = /^\/(\.well-known\/|oauth\/|problems(\/|$)|graphql$)/;
      expect(paths.filter((p) => !p.startsWith('/api/v1/') && !publicOutside.test(p))).toEqual([]);
    });
  });

  describe('API10: unsafe consumption', () => {
    it('delivers text another user wrote as inert text, naming them', async () => {
      const title = 'Urgent\u202e\nhttps://evil.example/reset <img src=x onerror=alert(1)>';
      const task = await alice.client.post('/api/v1/tasks', { title, assignee_id: bob.id });
      expect(task.status).toBe(201);
      const note = await sys.eventually(async () =>
        ((await bob.client.get('/api/v1/notifications')).body.data as { type: string; body: string }[]).find(
          (n) => n.type === 'task.assigned' && n.body.includes('evil'),
        ),
      );
      expect(note.body).toContain('assigned you a task');
      expect(note.body).not.toMatch(/[\u202e\n\r]/);
      expect(note.body).not.toContain('https://');
    });
  });
});

describe.skipIf(skip)(`expired tokens (${systemMode})`, () => {
  let sys: System;
  let early: Session;
  beforeAll(async () => {
    sys = await startSystem({
      services: ['identity'],
      env: { IDENTITY_ACCESS_TOKEN_TTL: String(TOKEN_TTL) },
    });
    early = await sys.signUp();
  }, 180_000);
  afterAll(() => sys?.stop());

  it('refuses an expired token', async () => {
    // `early` signed in first with a TOKEN_TTL-second token; the gateway allows 5 s of skew.
    const token = early.access_token;
    const exp = decodeJwt(token).exp! * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, exp + 6_000 - Date.now())));
    const res = await sys.withToken(token).get('/api/v1/auth/me');
    expectProblem('expired', res, 401, 'invalid_token');
    expect(res.body.detail).toMatch(/expired/);
  }, 60_000);
});
