/**
 * identity end to end, through a real gateway (embedded or distributed, PORTICO_SYSTEM_MODE):
 * what identity issues, the gateway verifies (JWKS, API keys) and refuses once revoked
 * (session.revoked, user.disabled, api_key.revoked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

describe.skipIf(skip)(`identity through the gateway (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity'] });
    admin = await sys.admin();
  }, 180_000);
  afterAll(() => sys?.stop());

  /** Waits until the gateway refuses `token` (revocations travel by event). */
  const refusedSoon = (token: string) =>
    sys.eventually(async () => (await sys.withToken(token).get('/api/v1/auth/me')).status === 401, 5_000);

  describe('registration and login', () => {
    it('registers with 201, role user, and no password or hash anywhere in the body', async () => {
      const email = `reg-${Date.now()}@example.test`;
      const res = await sys.anonymous.post('/api/v1/auth/register', {
        email: ` ${email.toUpperCase()} `,
        password: 'a-perfectly-fine-passphrase',
        full_name: 'Reg',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ email, roles: ['user'], status: 'active' });
      expect(res.headers.get('location')).toBe(`/api/v1/users/${res.body.id}`);
      expect(JSON.stringify(res.body)).not.toMatch(/password|hash|argon/i);
      const dup = await sys.anonymous.post('/api/v1/auth/register', {
        email: email.replace('reg', 'REG'),
        password: 'another-fine-passphrase',
        full_name: 'Dup',
      });
      // A taken address answers as a new one (no enumeration); the owner is told by email.
      expect(dup.status).toBe(201);
      expect(dup.body.id).not.toBe(res.body.id);
    });

    it.each([
      [{ email: 'nope', password: 'a-perfectly-fine-passphrase', full_name: 'A' }, 'email'],
      [{ email: 'short@example.test', password: 'short', full_name: 'A' }, 'password'],
      [{ email: 'common@example.test', password: 'Password1234', full_name: 'A' }, 'password'],
      [
        {
          email: 'mass@example.test',
          password: 'a-perfectly-fine-passphrase',
          full_name: 'A',
          roles: ['admin'],
        },
        'roles',
      ],
    ])('refuses %o with 422 naming %s', async (body, field) => {
      const res = await sys.anonymous.post('/api/v1/auth/register', body);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('logs in with the agreed shape; wrong password and unknown email get the same 401', async () => {
      const u = await sys.signUp();
      const res = await sys.anonymous.post('/api/v1/auth/login', { email: u.email, password: u.password });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        user: { id: u.id, email: u.email, roles: ['user'] },
      });
      expect(decodeJwt(res.body.access_token)).toMatchObject({
        sub: u.id,
        sid: expect.any(String),
        iss: 'portico-identity',
        aud: 'portico',
      });
      const wrong = await sys.anonymous.post('/api/v1/auth/login', {
        email: u.email,
        password: 'not-the-password-x',
      });
      const unknown = await sys.anonymous.post('/api/v1/auth/login', {
        email: `ghost-${Date.now()}@example.test`,
        password: 'not-the-password-x',
      });
      expect([wrong.status, unknown.status]).toEqual([401, 401]);
      expect(wrong.body.code).toBe('invalid_credentials');
      expect(unknown.body.code).toBe(wrong.body.code);
      expect(unknown.body.detail).toBe(wrong.body.detail);
      const me = await u.client.get('/api/v1/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: u.id, roles: ['user'], permissions: expect.any(Array) });
    });

    it('refuses forged tokens of the kind the peers accepted', async () => {
      const u = await sys.signUp();
      for (const token of [
        `access_token_${u.id}_anything`,
        `${u.access_token.slice(0, -4)}AAAA`,
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      ]) {
        expect((await sys.withToken(token).get('/api/v1/auth/me')).status).toBe(401);
      }
    });
  });

  describe('sessions', () => {
    it('rotates on refresh; reusing a spent token is refused and kills the newest one too', async () => {
      const u = await sys.signUp();
      const r1 = await sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token });
      expect(r1.status).toBe(200);
      expect(r1.body.refresh_token).not.toBe(u.refresh_token);
      const reuse = await sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token });
      expect(reuse.status).toBe(401);
      expect(
        (await sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: r1.body.refresh_token })).status,
      ).toBe(401);
      // The family's access tokens are refused at the gateway too.
      await refusedSoon(r1.body.access_token);
    });

    it('lets exactly one of two concurrent refreshes of one token win', async () => {
      const u = await sys.signUp();
      const results = await Promise.all([
        sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token }),
        sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it('logs out with 204, after which the gateway refuses the access token', async () => {
      const u = await sys.signUp();
      expect((await u.client.get('/api/v1/auth/me')).status).toBe(200);
      const res = await u.client.post('/api/v1/auth/logout', { refresh_token: u.refresh_token });
      expect(res.status).toBe(204);
      await refusedSoon(u.access_token);
      expect(
        (await sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token })).status,
      ).toBe(401);
    });

    it('changes the password with 204 and ends the other sessions', async () => {
      const u = await sys.signUp();
      const other = await sys.login(u.email, u.password);
      const res = await u.client.post('/api/v1/auth/password', {
        current_password: u.password,
        new_password: 'brand-new-passphrase-77',
      });
      expect(res.status).toBe(204);
      await refusedSoon(other.access_token);
      expect((await u.client.get('/api/v1/auth/me')).status).toBe(200);
    });
  });

  describe('administration', () => {
    it('answers 403 to a user on users admin, roles and the audit log', async () => {
      const u = await sys.signUp();
      expect((await u.client.get('/api/v1/users')).status).toBe(403);
      expect((await u.client.put(`/api/v1/users/${u.id}/roles`, { roles: ['admin'] })).status).toBe(403);
      expect((await u.client.get('/api/v1/audit-logs')).status).toBe(403);
      expect((await u.client.patch(`/api/v1/users/${u.id}`, { roles: ['admin'] })).status).not.toBe(200);
      expect((await u.client.get('/api/v1/auth/me')).body.roles).toEqual(['user']);
    });

    it('lets an admin list users (paginated, no hashes), assign roles (audited) and disable a user', async () => {
      const u = await sys.signUp();
      const list = await admin.client.get('/api/v1/users?limit=1');
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({
        data: [expect.any(Object)],
        has_more: true,
        next_cursor: expect.any(String),
      });
      expect(JSON.stringify(list.body)).not.toMatch(/hash|argon|password/i);

      const roles = await admin.client.put(`/api/v1/users/${u.id}/roles`, { roles: ['staff', 'user'] });
      expect(roles.status).toBe(200);
      const audit = await admin.client.get(
        `/api/v1/audit-logs?action=user.roles_changed&actor_id=${admin.id}`,
      );
      expect(audit.body.data.find((e: { target: string }) => e.target === u.id).details).toEqual({
        old_roles: ['user'],
        new_roles: ['staff', 'user'],
      });
      const refreshed = await sys.anonymous.post('/api/v1/auth/refresh', { refresh_token: u.refresh_token });
      expect(refreshed.body.user.roles).toEqual(['staff', 'user']);

      const token = refreshed.body.access_token as string;
      expect((await sys.withToken(token).get('/api/v1/auth/me')).status).toBe(200);
      expect((await admin.client.delete(`/api/v1/users/${u.id}`)).status).toBe(204);
      const login = await sys.anonymous.post('/api/v1/auth/login', { email: u.email, password: u.password });
      expect(login.status).toBe(403);
      expect(login.body.code).toBe('account_disabled');
      await refusedSoon(token);
    });

    it('refuses to disable or demote the bootstrap admin (409)', async () => {
      expect((await admin.client.delete(`/api/v1/users/${admin.id}`)).status).toBe(409);
      expect((await admin.client.put(`/api/v1/users/${admin.id}/roles`, { roles: ['user'] })).status).toBe(
        409,
      );
    });
  });

  describe('API keys', () => {
    it('shows the key once, accepts it as Bearer and X-API-Key, never lists it, and refuses it within 5 s of revocation', async () => {
      const u = await sys.signUp();
      const created = await u.client.post('/api/v1/api-keys', {
        name: 'system',
        scopes: ['profile:read:own', 'api-keys:read:own'],
      });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^pk_live_/);
      const asBearer = await sys.withToken(key).get('/api/v1/auth/me');
      expect(asBearer.status).toBe(200);
      expect(asBearer.body.id).toBe(u.id);
      const asHeader = await sys.anonymous.get('/api/v1/auth/me', { 'x-api-key': key });
      expect(asHeader.status).toBe(200);
      const list = await u.client.get('/api/v1/api-keys');
      expect(list.body.data).toHaveLength(1);
      expect(JSON.stringify(list.body)).not.toContain(key.slice(8));

      expect((await u.client.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
      const revokedAt = Date.now();
      await sys.eventually(
        async () => (await sys.withToken(key).get('/api/v1/auth/me')).status === 401,
        5_000,
      );
      expect(Date.now() - revokedAt).toBeLessThan(5_000);
      expect((await sys.anonymous.get('/api/v1/auth/me', { 'x-api-key': key })).status).toBe(401);
    });

    it('hides the internal verification route from clients', async () => {
      const res = await admin.client.post('/internal/api-keys/verify', { key: 'pk_live_x' });
      expect(res.status).toBe(404);
    });
  });

  describe('keys and the audit log', () => {
    it('publishes only public asymmetric keys in the JWKS', async () => {
      const res = await sys.anonymous.get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body.keys.length).toBeGreaterThan(0);
      for (const k of res.body.keys) {
        expect(k.kty).toBe('EC');
        expect(k).not.toHaveProperty('d');
        expect(['ES256', 'EdDSA']).toContain(k.alg);
      }
    });

    it('rotates signing keys: tokens of the old key stay valid, tokens of the new key are valid at once', async () => {
      const before = await sys.admin();
      const rotated = await admin.client.post('/api/v1/signing-keys/rotate', { activation_delay_seconds: 0 });
      expect(rotated.status).toBe(201);
      const jwks = await sys.anonymous.get('/.well-known/jwks.json');
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(rotated.body.kid);
      const after = await sys.admin();
      expect(decodeJwt(after.access_token)).toBeTruthy();
      // The gateway refetches its JWKS on an unknown kid (rate-floored by jwks_refresh_floor).
      await sys.eventually(async () => (await after.client.get('/api/v1/auth/me')).status === 200, 30_000);
      expect((await before.client.get('/api/v1/auth/me')).status).toBe(200);
    }, 40_000);

    it('keeps an audit entry for each action, with no password or token in it', async () => {
      // Filter per action: refusals (access.denied) may outnumber everything else on page one.
      const res = await admin.client.get('/api/v1/audit-logs?limit=100');
      expect(res.status).toBe(200);
      const expected = [
        'user.registered',
        'auth.login',
        'auth.refresh',
        'auth.refresh_token_reused',
        'auth.logout',
        'auth.password_changed',
        'user.roles_changed',
        'user.disabled',
        'api_key.created',
        'api_key.revoked',
      ];
      for (const a of expected) {
        const page = await admin.client.get(`/api/v1/audit-logs?action=${a}&limit=100`);
        expect(page.status).toBe(200);
        expect(JSON.stringify(page.body)).not.toContain(admin.password);
        expect(
          page.body.data.map((e: { action: string }) => e.action),
          a,
        ).toContain(a);
      }
      const failures = await admin.client.get('/api/v1/audit-logs?action=auth.login&outcome=failure');
      expect(failures.body.data.length).toBeGreaterThan(0);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(admin.password);
      expect(text).not.toContain(admin.access_token);
      expect(text).not.toContain(admin.refresh_token);
      expect(text).not.toMatch(/pk_live_[A-Za-z0-9_-]{43}|prt_[A-Za-z0-9_-]{43}|eyJ[A-Za-z0-9_-]+\.eyJ/);
    });

    it('records refusals reported by the gateway as access.denied', async () => {
      const u = await sys.signUp();
      expect((await u.client.get('/api/v1/audit-logs')).status).toBe(403);
      const entry = await sys.eventually(async () => {
        const r = await admin.client.get(`/api/v1/audit-logs?action=access.denied&actor_id=${u.id}`);
        return r.body.data?.[0];
      }, 10_000);
      expect(entry).toMatchObject({ outcome: 'denied', actor_id: u.id });
    });
  });

  // Last: it exhausts the login throttle of this client address for the window.
  describe('throttling', () => {
    it('lets at most 5 of 20 parallel wrong passwords reach the check; the rest get 429 with Retry-After', async () => {
      const u = await sys.signUp();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          sys.anonymous.post('/api/v1/auth/login', { email: u.email, password: 'wrong-wrong-wrong-wrong' }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      for (const r of results.filter((x) => x.status === 429))
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      const audit = await admin.client.get(`/api/v1/audit-logs?action=auth.login&outcome=failure&limit=100`);
      const checked = audit.body.data.filter(
        (e: { target: string | null; details: { reason: string } }) =>
          e.target === u.id && e.details.reason === 'invalid_credentials',
      );
      expect(checked.length).toBeLessThanOrEqual(5);
    });
  });
});
