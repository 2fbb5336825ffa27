import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, type TestServices } from '@portico/kit/testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  callerOf,
  collectEvents,
  login,
  signUp,
  startIdentity,
  uniqueEmail,
  verifyAccessToken,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`identity: registration, login and sessions (${matrixLabel})`, () => {
  let env: TestServices;
  let events: Awaited<ReturnType<typeof collectEvents>>;
  beforeAll(async () => {
    env = await startIdentity({ IDENTITY_LOGIN_MAX_ATTEMPTS: '5' });
    events = await collectEvents(env, ['session.revoked', 'user.registered', 'user.registration_attempted']);
  });
  afterAll(async () => {
    await events?.stop();
    await env?.stop();
  });
  const anon = () => env.as('identity', null);

  describe('registration', () => {
    it('creates a user with role user, 201 and Location, and never returns the password or its hash', async () => {
      const email = uniqueEmail();
      const res = await anon().post('/api/v1/auth/register', {
        email: `  ${email.toUpperCase()} `,
        password: 'a-perfectly-fine-passphrase',
        full_name: 'Ada',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ email, full_name: 'Ada', roles: ['user'], status: 'active' });
      expect(res.headers.get('location')).toBe(`/api/v1/users/${res.body.id}`);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/password|argon2|hash/i);
      const ev = await events.find((e) => e.type === 'user.registered' && e.data.user_id === res.body.id);
      expect(ev.data).toEqual({ user_id: res.body.id, email, full_name: 'Ada', roles: ['user'] });
    });

    it('answers a taken email exactly as a new one (no enumeration) and tells the owner instead', async () => {
      const email = uniqueEmail();
      const first = await anon().post('/api/v1/auth/register', {
        email,
        password: 'a-perfectly-fine-passphrase',
        full_name: 'A',
      });
      expect(first.status).toBe(201);
      const again = await anon().post('/api/v1/auth/register', {
        email: email.toUpperCase(),
        password: 'another-fine-passphrase',
        full_name: 'B',
      });
      expect(again.status).toBe(201);
      expect(Object.keys(again.body).sort()).toEqual(Object.keys(first.body).sort());
      expect(again.body).toMatchObject({ email, full_name: 'B', roles: ['user'], status: 'active' });
      expect(again.body.id).not.toBe(first.body.id);
      expect(again.headers.get('location')).toBe(`/api/v1/users/${again.body.id}`);
      expect(JSON.stringify(again.body)).not.toMatch(/token/i);
      // No second account: the owner's password still signs in, the new one does not.
      expect(
        (await anon().post('/api/v1/auth/login', { email, password: 'another-fine-passphrase' })).status,
      ).toBe(401);
      expect(
        (await anon().post('/api/v1/auth/login', { email, password: 'a-perfectly-fine-passphrase' })).status,
      ).toBe(200);
      const ev = await events.find(
        (e) => e.type === 'user.registration_attempted' && e.data.user_id === first.body.id,
      );
      expect(ev.data).toEqual({ user_id: first.body.id, email });
    });

    it.each([
      [
        'a bad email',
        { email: 'not-an-email', password: 'a-perfectly-fine-passphrase', full_name: 'A' },
        'email',
        'invalid_format',
      ],
      ['a short password', { email: 'x', password: 'short', full_name: 'A' }, 'email', 'invalid_format'],
      [
        'a short password',
        { email: uniqueEmail(), password: 'short-pass', full_name: 'A' },
        'password',
        'too_short',
      ],
      [
        'a common password',
        { email: uniqueEmail(), password: 'Password1234', full_name: 'A' },
        'password',
        'too_common',
      ],
      [
        'a keyboard walk',
        { email: uniqueEmail(), password: 'QWERTYUIOP12', full_name: 'A' },
        'password',
        'too_common',
      ],
      [
        'a password over 128 characters',
        { email: uniqueEmail(), password: 'x'.repeat(129), full_name: 'A' },
        'password',
        'too_long',
      ],
      [
        'roles in the body',
        { email: uniqueEmail(), password: 'a-perfectly-fine-passphrase', full_name: 'A', roles: ['admin'] },
        'roles',
        'unknown_field',
      ],
      [
        'a missing full_name',
        { email: uniqueEmail(), password: 'a-perfectly-fine-passphrase' },
        'full_name',
        'required',
      ],
    ])('answers 422 naming the field for %s', async (_what, body, field, code) => {
      const res = await anon().post('/api/v1/auth/register', body);
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toContainEqual(expect.objectContaining({ field, code }));
    });
  });

  describe('login', () => {
    it('returns a token pair with the user, and an ES256 access token with the agreed claims', async () => {
      const email = uniqueEmail();
      await anon().post('/api/v1/auth/register', {
        email,
        password: 'a-perfectly-fine-passphrase',
        full_name: 'Ada',
      });
      const res = await anon().post('/api/v1/auth/login', {
        email: ` ${email.toUpperCase()}`,
        password: 'a-perfectly-fine-passphrase',
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 900,
        user: { email, roles: ['user'] },
      });
      expect(JSON.stringify(res.body.user)).not.toMatch(/password|hash/i);
      expect(res.body.refresh_token).toMatch(/^prt_[A-Za-z0-9_-]{43}$/);
      const { payload, protectedHeader } = await verifyAccessToken(env, res.body.access_token);
      expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
      expect(payload).toMatchObject({
        iss: 'portico-identity',
        aud: 'portico',
        sub: res.body.user.id,
        roles: ['user'],
        sid: expect.any(String),
        jti: expect.any(String),
      });
      expect(payload.exp! - payload.iat!).toBe(900);
    });

    it('answers the same 401 to a wrong password and to an unknown email', async () => {
      const s = await signUp(env);
      const wrong = await anon().post('/api/v1/auth/login', {
        email: s.email,
        password: 'not-the-password-at-all',
      });
      const unknown = await anon().post('/api/v1/auth/login', {
        email: uniqueEmail('nobody'),
        password: 'not-the-password-at-all',
      });
      for (const r of [wrong, unknown]) {
        expect(r.status).toBe(401);
        expect(r.body.code).toBe('invalid_credentials');
      }
      const strip = (b: any) => ({ ...b, request_id: undefined });
      expect(strip(wrong.body)).toEqual(strip(unknown.body));
    });

    it('lets at most the configured number of 20 parallel wrong guesses reach the password check; the rest get 429 with Retry-After', async () => {
      const s = await signUp(env);
      let checks = 0;
      const onCheck = () => checks++;
      subscribe('portico:identity:password-check', onCheck);
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            anon().post('/api/v1/auth/login', { email: s.email, password: 'wrong-guess-wrong-guess' }),
          ),
        );
        const unauthorized = results.filter((r) => r.status === 401);
        const limited = results.filter((r) => r.status === 429);
        expect(unauthorized.length + limited.length).toBe(20);
        expect(checks).toBeLessThanOrEqual(5);
        expect(unauthorized.length).toBe(checks);
        expect(limited.length).toBeGreaterThanOrEqual(15);
        for (const r of limited) {
          expect(r.body.code).toBe('rate_limited');
          expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        }
        // The right password is refused too while the window lasts: guessing cannot go on.
        expect(
          (await anon().post('/api/v1/auth/login', { email: s.email, password: s.password })).status,
        ).toBe(429);
      } finally {
        unsubscribe('portico:identity:password-check', onCheck);
      }
    });

    it('answers the same 429 for an unknown email throttled the same way (no hint that it does not exist)', async () => {
      const email = uniqueEmail('ghost');
      const results = await Promise.all(
        Array.from({ length: 8 }, () =>
          anon().post('/api/v1/auth/login', { email, password: 'wrong-guess-wrong-guess' }),
        ),
      );
      expect(results.filter((r) => r.status === 429).length).toBe(3);
      expect(results.find((r) => r.status === 429)!.body.detail).toBe(
        'Too many sign-in attempts; try again later',
      );
    });

    it('ignores Idempotency-Key on login, so no token is stored for replay', async () => {
      const s = await signUp(env);
      const h = { 'idempotency-key': 'login-key-1' };
      const a = await anon().post('/api/v1/auth/login', { email: s.email, password: s.password }, h);
      const b = await anon().post('/api/v1/auth/login', { email: s.email, password: s.password }, h);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(b.headers.get('idempotent-replayed')).toBeNull();
      expect(b.body.refresh_token).not.toBe(a.body.refresh_token);
    });
  });

  describe('refresh', () => {
    it('rotates: a new pair in the same session, the old refresh token spent', async () => {
      const s = await signUp(env);
      const res = await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token });
      expect(res.status).toBe(200);
      expect(res.body.refresh_token).not.toBe(s.refresh_token);
      expect(callerOf(res.body.access_token).sessionId).toBe(callerOf(s.access_token).sessionId);
      expect(res.body.user.id).toBe(s.id);
    });

    it('revokes the whole family when a spent refresh token is presented again, and publishes session.revoked', async () => {
      const s = await signUp(env);
      const sid = callerOf(s.access_token).sessionId;
      const r1 = await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token });
      expect(r1.status).toBe(200);
      const reuse = await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token });
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('invalid_token');
      // The newest token of the family is dead too.
      expect(
        (await anon().post('/api/v1/auth/refresh', { refresh_token: r1.body.refresh_token })).status,
      ).toBe(401);
      const ev = await events.find((e) => e.type === 'session.revoked' && e.data.session_ids.includes(sid));
      expect(ev.data).toMatchObject({
        user_id: s.id,
        session_ids: [sid],
        reason: 'refresh_token_reuse',
        expires_at: expect.any(String),
      });
      expect(Date.parse(ev.data.expires_at)).toBeGreaterThan(Date.now());
    });

    it('lets exactly one of two concurrent refreshes of one token win', async () => {
      const s = await signUp(env);
      const [a, b] = await Promise.all([
        anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token }),
        anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 401]);
    });

    it('answers 401 to an unknown refresh token', async () => {
      const res = await anon().post('/api/v1/auth/refresh', { refresh_token: 'prt_' + 'A'.repeat(43) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('re-reads roles on refresh, so a role change takes effect at the next refresh', async () => {
      const s = await signUp(env);
      const admin = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(
        (await admin.client.put(`/api/v1/users/${s.id}/roles`, { roles: ['user', 'staff'] })).status,
      ).toBe(200);
      const res = await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token });
      expect(callerOf(res.body.access_token).roles).toEqual(['staff', 'user']);
    });
  });

  describe('logout and password change', () => {
    it('logs out with 204: the session is revoked (event with its sid) and its refresh token refused', async () => {
      const s = await signUp(env);
      const sid = callerOf(s.access_token).sessionId!;
      const res = await s.client.post('/api/v1/auth/logout', { refresh_token: s.refresh_token });
      expect(res.status).toBe(204);
      const ev = await events.find((e) => e.type === 'session.revoked' && e.data.session_ids.includes(sid));
      expect(ev.data).toMatchObject({ user_id: s.id, reason: 'logout' });
      expect((await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token })).status).toBe(
        401,
      );
    });

    it('logs out without a body', async () => {
      const s = await signUp(env);
      expect((await s.client.post('/api/v1/auth/logout')).status).toBe(204);
      expect((await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token })).status).toBe(
        401,
      );
    });

    it('requires a bearer to log out', async () => {
      expect((await anon().post('/api/v1/auth/logout', {})).status).toBe(401);
    });

    it('changes the password with 204 and ends the other sessions, not this one', async () => {
      const s = await signUp(env);
      const other = await login(env, s.email, s.password);
      const otherSid = callerOf(other.access_token).sessionId;
      const res = await s.client.post('/api/v1/auth/password', {
        current_password: s.password,
        new_password: 'a-brand-new-passphrase',
      });
      expect(res.status).toBe(204);
      expect((await anon().post('/api/v1/auth/refresh', { refresh_token: other.refresh_token })).status).toBe(
        401,
      );
      expect((await anon().post('/api/v1/auth/refresh', { refresh_token: s.refresh_token })).status).toBe(
        200,
      );
      const ev = await events.find(
        (e) => e.type === 'session.revoked' && e.data.session_ids.includes(otherSid),
      );
      expect(ev.data.reason).toBe('password_changed');
      expect((await anon().post('/api/v1/auth/login', { email: s.email, password: s.password })).status).toBe(
        401,
      );
      expect(
        (await anon().post('/api/v1/auth/login', { email: s.email, password: 'a-brand-new-passphrase' }))
          .status,
      ).toBe(200);
    });

    it('refuses a wrong current password and a weak new one with 422 naming the field', async () => {
      const s = await signUp(env);
      const wrong = await s.client.post('/api/v1/auth/password', {
        current_password: 'not-my-password',
        new_password: 'a-brand-new-passphrase',
      });
      expect(wrong.status).toBe(422);
      expect(wrong.body.errors[0]).toMatchObject({ field: 'current_password', code: 'incorrect' });
      const weak = await s.client.post('/api/v1/auth/password', {
        current_password: s.password,
        new_password: 'password2024',
      });
      expect(weak.status).toBe(422);
      expect(weak.body.errors[0]).toMatchObject({ field: 'new_password', code: 'too_common' });
    });
  });

  describe('profile', () => {
    it('reads your profile with roles and permissions and changes your name; roles cannot be set there', async () => {
      const s = await signUp(env);
      const me = await s.client.get('/api/v1/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        id: s.id,
        email: s.email,
        roles: ['user'],
        permissions: expect.arrayContaining(['api-keys:*:own']),
      });
      expect(JSON.stringify(me.body)).not.toMatch(/hash/);
      const patched = await s.client.patch('/api/v1/auth/me', { full_name: 'New Name' });
      expect(patched.body.full_name).toBe('New Name');
      const sneaky = await s.client.patch('/api/v1/auth/me', { full_name: 'X', roles: ['admin'] });
      expect(sneaky.status).toBe(422);
      expect(sneaky.body.errors[0]).toMatchObject({ field: 'roles', code: 'unknown_field' });
    });
  });
});
