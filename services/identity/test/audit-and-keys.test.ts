import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { makeEvent, type AccessDeniedData } from '@portico/kit';
import { httpClient, matrixLabel, matrixUnavailable, type TestServices } from '@portico/kit/testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  auditEntries,
  login,
  signUp,
  startIdentity,
  verifyAccessToken,
  type Session,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`identity: audit log and signing keys (${matrixLabel})`, () => {
  let env: TestServices;
  let admin: Session;
  beforeAll(async () => {
    env = await startIdentity();
    admin = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => env?.stop());
  const db = () => env.services.get('identity')!.deps.db;

  describe('audit log', () => {
    it('records each audited action, newest first, without any password or token', async () => {
      const u = await signUp(env);
      const anon = env.as('identity', null);
      await anon.post('/api/v1/auth/login', { email: u.email, password: 'definitely-wrong-password' });
      const refreshed = await anon.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token });
      await anon.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token }); // reuse
      const again = await login(env, u.email, u.password);
      await again.client.post('/api/v1/auth/password', {
        current_password: u.password,
        new_password: 'the-next-long-passphrase',
      });
      const key = await again.client.post('/api/v1/api-keys', { name: 'k' });
      await again.client.delete(`/api/v1/api-keys/${key.body.id}`);
      await again.client.post('/api/v1/auth/logout', {});
      await admin.client.put(`/api/v1/users/${u.id}/roles`, { roles: ['staff', 'user'] });
      await admin.client.delete(`/api/v1/users/${u.id}`);

      const users = await auditEntries(admin, `&actor_id=${u.id}`);
      const mine = [...users, ...(await auditEntries(admin, `&actor_id=${admin.id}`))];
      const failures = await auditEntries(admin, '&action=auth.login&outcome=failure');
      const all = [...mine, ...failures];
      const seen = new Set(all.map((e) => `${e.action}:${e.outcome}`));
      for (const a of [
        'user.registered:success',
        'auth.login:success',
        'auth.login:failure',
        'auth.refresh:success',
        'auth.refresh_token_reused:failure',
        'auth.password_changed:success',
        'api_key.created:success',
        'api_key.revoked:success',
        'auth.logout:success',
        'user.roles_changed:success',
        'user.disabled:success',
      ]) {
        expect(seen, a).toContain(a);
      }
      const entry = mine[0];
      expect(entry).toMatchObject({
        id: expect.any(String),
        time: expect.any(String),
        ip: expect.any(String),
        request_id: expect.any(String),
      });
      const text = JSON.stringify(all);
      for (const secret of [
        u.password,
        'the-next-long-passphrase',
        'definitely-wrong-password',
        u.refresh_token,
        refreshed.body.refresh_token,
        again.access_token,
        key.body.key,
      ]) {
        expect(text).not.toContain(secret);
      }
      const times = users.map((e) => Date.parse(e.time));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('filters by time and pages with a cursor', async () => {
      const from = new Date(Date.now() - 1000).toISOString();
      await signUp(env);
      await signUp(env);
      const page = await admin.client.get(`/api/v1/audit-logs?limit=1&from=${from}`);
      expect(page.body.data).toHaveLength(1);
      expect(page.body.has_more).toBe(true);
      const next = await admin.client.get(
        `/api/v1/audit-logs?limit=1&from=${from}&cursor=${page.body.next_cursor}`,
      );
      expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
      const none = await admin.client.get(`/api/v1/audit-logs?to=${new Date(0).toISOString()}`);
      expect(none.body.data).toEqual([]);
      expect((await admin.client.get('/api/v1/audit-logs?outcome=maybe')).status).toBe(422);
    });

    it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
      await expect(sql`update audit_log set action = 'x'`.execute(db())).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log`.execute(db())).rejects.toThrow(/append-only/);
      await expect(sql`truncate audit_log`.execute(db())).rejects.toThrow(/append-only/);
      expect((await auditEntries(admin)).length).toBeGreaterThan(0);
    });

    it('records access.denied reported on the bus, once per event', async () => {
      const data: AccessDeniedData = {
        actor_id: 'someone',
        method: 'GET',
        path: '/api/v1/orders/42',
        status: 403,
        reason: 'missing_permission:orders:read',
        ip: '203.0.113.9',
        user_agent: 'curl/8',
        request_id: 'req-denied-0001',
        source: 'gateway',
      };
      const ev = makeEvent('gateway', 'access.denied', data);
      await env.bus.publish(ev);
      await env.bus.publish(ev);
      const entries = await env.eventually(async () => {
        const e = await auditEntries(admin, '&action=access.denied&actor_id=someone');
        return e.length ? e : null;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(await auditEntries(admin, '&action=access.denied&actor_id=someone')).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        outcome: 'denied',
        ip: '203.0.113.9',
        request_id: 'req-denied-0001',
        details: { status: 403, source: 'gateway', method: 'GET' },
      });
    });

    it('records its own refusals: a request without a passport is audited as access.denied', async () => {
      const res = await httpClient(env.services.get('identity')!.url).get('/api/v1/users', {
        'x-request-id': 'no-passport-request-1',
      });
      expect(res.status).toBe(401);
      const entry = await env.eventually(async () =>
        (await auditEntries(admin, '&action=access.denied')).find(
          (e) => e.request_id === 'no-passport-request-1',
        ),
      );
      expect(entry.details).toMatchObject({ status: 401, source: 'identity' });
    });
  });

  it('documents its public routes in OpenAPI and hides the internal one', async () => {
    const res = await httpClient(env.services.get('identity')!.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/users/{id}/roles',
        '/api/v1/api-keys',
        '/.well-known/jwks.json',
      ]),
    );
    expect(res.body.paths['/internal/api-keys/verify']).toBeUndefined();
  });

  describe('housekeeping', () => {
    it('forgets sessions and refresh tokens a day after they ended, and nothing live', async () => {
      const { pruneSessions } = await import('../src/repository/sessions.ts');
      const u = await signUp(env);
      const old = await signUp(env);
      await sql`update sessions set expires_at = now() - interval '2 days' where user_id = ${old.id}`.execute(
        db(),
      );
      await pruneSessions(db());
      const left = await sql<{
        user_id: string;
      }>`select user_id from sessions where user_id in (${u.id}, ${old.id})`.execute(db());
      expect(left.rows.map((r) => r.user_id)).toEqual([u.id]);
      expect(
        (await env.as('identity', null).post('/api/v1/auth/refresh', { refresh_token: u.refresh_token }))
          .status,
      ).toBe(200);
    });
  });

  describe('signing keys', () => {
    it('publishes only public EC keys in the JWKS, without a passport', async () => {
      const res = await httpClient(env.services.get('identity')!.url).get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys.length).toBeGreaterThan(0);
      for (const k of res.body.keys) {
        expect(k).toMatchObject({
          kty: 'EC',
          crv: 'P-256',
          alg: 'ES256',
          use: 'sig',
          kid: expect.any(String),
        });
        expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      }
      const stored = await sql<{ private_jwk_enc: string }>`select private_jwk_enc from signing_keys`.execute(
        db(),
      );
      for (const r of stored.rows) expect(r.private_jwk_enc).toMatch(/^v1\./); // sealed, not a JWK
    });

    it('rotates: the new key is published before it signs, old tokens stay valid, new tokens are valid at once', async () => {
      const before = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
      const oldKid = (await verifyAccessToken(env, before.access_token)).protectedHeader.kid;

      const pending = await admin.client.post('/api/v1/signing-keys/rotate', {
        activation_delay_seconds: 3600,
      });
      expect(pending.status).toBe(201);
      expect(pending.body.state).toBe('pending');
      const jwks = await env.as('identity', null).get('/.well-known/jwks.json');
      expect(jwks.body.keys.map((k: any) => k.kid)).toEqual(
        expect.arrayContaining([oldKid, pending.body.kid]),
      );
      const still = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect((await verifyAccessToken(env, still.access_token)).protectedHeader.kid).toBe(oldKid);

      const now = await admin.client.post('/api/v1/signing-keys/rotate', { activation_delay_seconds: 0 });
      expect(now.body.state).toBe('active');
      const after = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect((await verifyAccessToken(env, after.access_token)).protectedHeader.kid).toBe(now.body.kid);
      expect((await verifyAccessToken(env, before.access_token)).protectedHeader.kid).toBe(oldKid);
      const list = await admin.client.get('/api/v1/signing-keys');
      expect(list.body.data.find((k: any) => k.kid === oldKid).state).toBe('retired');
    });
  });
});

describe.skipIf(skip)(`identity: bootstrap without a configured password (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startIdentity({ PORTICO_ADMIN_PASSWORD: '', PORTICO_ADMIN_EMAIL: 'Boss@Example.test' });
  });
  afterAll(() => env?.stop());

  it('generates a strong password, keeps it in admin-password.txt (0600) and creates the admin once', async () => {
    const { readFile, stat } = await import('node:fs/promises');
    const path = await import('node:path');
    const svc = env.services.get('identity')!;
    const file = path.join(svc.deps.dataDir, 'admin-password.txt');
    const password = (await readFile(file, 'utf8')).trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const admin = await login(env, 'boss@example.test', password);
    expect((await admin.client.get('/api/v1/auth/me')).body.roles).toEqual(['admin']);
    await env.restart('identity');
    const users = await env
      .as('identity', null)
      .post('/api/v1/auth/login', { email: 'boss@example.test', password });
    expect(users.status).toBe(200);
    const again = await login(env, 'boss@example.test', password);
    const admins = await again.client.get('/api/v1/users?role=admin');
    expect(admins.body.data).toHaveLength(1);
  });
});
