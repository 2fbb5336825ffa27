/**
 * Second factors (docs/mfa.md): TOTP enrolment, sign-in with a code, replay and wrong-code
 * refusals, recovery codes, turning it off, and admins held to a second factor when
 * `PORTICO_REQUIRE_ADMIN_MFA=true`. Codes are computed with otplib from the secret the API
 * returns, as an authenticator app would. A code is only ever sent for the current time step or
 * the next one, so a step boundary passing during a test never makes it fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { matrixLabel, matrixUnavailable, type TestServices } from '@portico/kit/testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  auditEntries,
  callerOf,
  login,
  signUp,
  startIdentity,
  type Session,
} from './helpers.ts';

const skip = await matrixUnavailable();

/** The code an authenticator app shows now, or `stepsAhead` periods later. */
const codeFor = (secret: string, stepsAhead = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });

describe.skipIf(skip)(`identity: TOTP second factor (${matrixLabel})`, () => {
  let env: TestServices;
  let admin: Session;
  beforeAll(async () => {
    env = await startIdentity({ IDENTITY_LOGIN_MAX_ATTEMPTS: '5' });
    admin = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => env?.stop());
  const anon = () => env.as('identity', null);

  /** Enrols and confirms TOTP for `user` with the current code; returns the secret and recovery codes. */
  async function enrol(user: Session) {
    const start = await user.client.post('/api/v1/auth/mfa/totp', {});
    expect(start.status).toBe(200);
    const confirm = await user.client.post('/api/v1/auth/mfa/totp/confirm', {
      code: await codeFor(start.body.secret),
    });
    expect(confirm.status).toBe(200);
    return { secret: start.body.secret as string, recoveryCodes: confirm.body.recovery_codes as string[] };
  }

  /** The `mfa_token` a password sign-in answers for a user with a second factor. */
  async function challenge(user: Session): Promise<string> {
    const res = await anon().post('/api/v1/auth/login', { email: user.email, password: user.password });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('mfa_required');
    return res.body.mfa_token;
  }

  it('enrols in two steps: a pending secret with its otpauth URI, active only once a code confirms it', async () => {
    const user = await signUp(env);
    expect((await user.client.get('/api/v1/auth/me')).body.mfa).toEqual({ totp: false });

    const start = await user.client.post('/api/v1/auth/mfa/totp', {});
    expect(start.status).toBe(200);
    expect(start.headers.get('cache-control')).toBe('no-store');
    expect(start.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(start.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(start.body.secret);
    expect(uri.searchParams.get('issuer')).toBe('Portico');
    expect(decodeURIComponent(uri.pathname)).toContain(user.email);
    // Not active yet: the password alone still signs in.
    expect(
      (await anon().post('/api/v1/auth/login', { email: user.email, password: user.password })).status,
    ).toBe(200);
    // The secret is sealed at rest, never stored in plain text.
    const row = await env.services
      .get('identity')!
      .deps.db.selectFrom('mfa_totp' as never)
      .selectAll()
      .where('user_id' as never, '=', user.id as never)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(start.body.secret);

    const wrong = await user.client.post('/api/v1/auth/mfa/totp/confirm', {
      code: await codeFor(start.body.secret, -120),
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'code', code: 'incorrect' });
    expect((await user.client.get('/api/v1/auth/me')).body.mfa).toEqual({ totp: false });

    const confirm = await user.client.post('/api/v1/auth/mfa/totp/confirm', {
      code: await codeFor(start.body.secret),
    });
    expect(confirm.status).toBe(200);
    expect(confirm.headers.get('cache-control')).toBe('no-store');
    expect(confirm.body.recovery_codes).toHaveLength(10);
    expect(new Set(confirm.body.recovery_codes).size).toBe(10);
    expect((await user.client.get('/api/v1/auth/me')).body.mfa).toEqual({ totp: true });
    // Starting again while it is on is a conflict: turn it off first.
    expect((await user.client.post('/api/v1/auth/mfa/totp', {})).status).toBe(409);

    const actions = (await auditEntries(admin, `&actor_id=${user.id}`)).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['mfa.totp_enrolment_started', 'mfa.totp_enabled', 'mfa.code_rejected']),
    );
    expect(JSON.stringify(await auditEntries(admin, `&actor_id=${user.id}`))).not.toContain(
      start.body.secret,
    );
  });

  it('asks for a code after the password; a good code gives tokens, a wrong or reused one is refused', async () => {
    const user = await signUp(env);
    const { secret } = await enrol(user); // the current step is spent by the confirmation

    const first = await anon().post('/api/v1/auth/login', { email: user.email, password: user.password });
    expect(first.status).toBe(401);
    expect(first.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body).toMatchObject({
      code: 'mfa_required',
      expires_in: 300,
      factors: ['totp', 'recovery_code'],
    });
    expect(first.body).not.toHaveProperty('access_token');
    const token = first.body.mfa_token;

    const wrong = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: token,
      code: await codeFor(secret, -120),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      code: 'invalid_mfa_code',
      errors: [{ field: 'code', code: 'incorrect' }],
    });
    const spentStep = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: token,
      code: await codeFor(secret),
    });
    expect(spentStep.status).toBe(401);
    expect(spentStep.body.errors[0]).toMatchObject({ field: 'code', code: 'reused' });

    const next = await codeFor(secret, 1);
    const ok = await anon().post('/api/v1/auth/login/mfa', { mfa_token: token, code: next });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', user: { id: user.id } });
    const me = await env.as('identity', callerOf(ok.body.access_token)).get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ id: user.id, mfa: { totp: true } });
    // Refresh keeps working for the session.
    expect((await anon().post('/api/v1/auth/refresh', { refresh_token: ok.body.refresh_token })).status).toBe(
      200,
    );

    // The mfa_token is single use, and the same code is refused with a fresh one (replay).
    expect((await anon().post('/api/v1/auth/login/mfa', { mfa_token: token, code: next })).status).toBe(401);
    const replay = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: await challenge(user),
      code: next,
    });
    expect(replay.status).toBe(401);
    expect(replay.body.errors[0]).toMatchObject({ field: 'code', code: 'reused' });

    const unknown = await anon().post('/api/v1/auth/login/mfa', { mfa_token: 'pmt_nope', code: next });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ code: 'invalid_token', errors: [{ field: 'mfa_token' }] });
    const neither = await anon().post('/api/v1/auth/login/mfa', { mfa_token: await challenge(user) });
    expect(neither.status).toBe(422);
    expect(neither.body.errors[0]).toMatchObject({ field: 'code', code: 'required' });

    const log = await auditEntries(admin, `&actor_id=${user.id}`);
    expect(
      log.find((e) => e.action === 'auth.login' && e.outcome === 'success' && e.details.mfa === 'totp'),
    ).toBeTruthy();
    expect(log.filter((e) => e.action === 'mfa.code_rejected').map((e) => e.details.reason)).toEqual(
      expect.arrayContaining(['incorrect', 'reused']),
    );
  });

  it('accepts each recovery code once', async () => {
    const user = await signUp(env);
    const { recoveryCodes } = await enrol(user);
    const code = recoveryCodes[3]!;
    const ok = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: await challenge(user),
      recovery_code: ` ${code.toUpperCase()} `,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);
    const again = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: await challenge(user),
      recovery_code: code,
    });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'invalid_mfa_code', errors: [{ field: 'recovery_code' }] });
    // Another of the ten still works.
    const other = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: await challenge(user),
      recovery_code: recoveryCodes[4],
    });
    expect(other.status).toBe(200);
    const used = (await auditEntries(admin, `&actor_id=${user.id}&action=mfa.recovery_code_used`)).map(
      (e) => e.details.remaining,
    );
    expect(used).toEqual([8, 9]);
  });

  it('throttles code attempts like logins, even a right code after the limit', async () => {
    const user = await signUp(env);
    const { secret } = await enrol(user);
    const token = await challenge(user);
    for (let i = 0; i < 5; i++)
      expect(
        (await anon().post('/api/v1/auth/login/mfa', { mfa_token: token, code: await codeFor(secret, -120) }))
          .status,
      ).toBe(401);
    const limited = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: token,
      code: await codeFor(secret, 1),
    });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('turns off with a current code or the password, and then the password alone signs in again', async () => {
    const a = await signUp(env);
    const { secret } = await enrol(a);
    const del = (s: Session, body: unknown) => s.client.request('DELETE', '/api/v1/auth/mfa/totp', body);
    expect((await del(a, { code: await codeFor(secret, -120) })).status).toBe(422);
    expect((await del(a, {})).status).toBe(422);
    expect((await del(a, { code: await codeFor(secret, 1) })).status).toBe(204);
    expect((await a.client.get('/api/v1/auth/me')).body.mfa).toEqual({ totp: false });
    expect((await anon().post('/api/v1/auth/login', { email: a.email, password: a.password })).status).toBe(
      200,
    );
    expect((await del(a, { password: a.password })).status).toBe(404);

    const b = await signUp(env);
    await enrol(b);
    const wrongPassword = await del(b, { password: 'not-the-password-at-all' });
    expect(wrongPassword.status).toBe(422);
    expect(wrongPassword.body.errors[0]).toMatchObject({ field: 'password', code: 'incorrect' });
    expect((await del(b, { password: b.password })).status).toBe(204);
    expect((await anon().post('/api/v1/auth/login', { email: b.email, password: b.password })).status).toBe(
      200,
    );
    const off = await auditEntries(admin, `&actor_id=${b.id}&action=mfa.totp_disabled`);
    expect(off[0]?.details).toMatchObject({ via: 'password', was_active: true });
  });

  it("lets an admin turn a user's authenticator off (lost phone); nobody else may", async () => {
    const user = await signUp(env);
    await enrol(user);
    const other = await signUp(env);
    expect((await other.client.request('DELETE', `/api/v1/users/${user.id}/mfa/totp`)).status).toBe(403);
    expect((await admin.client.request('DELETE', `/api/v1/users/${user.id}/mfa/totp`)).status).toBe(204);
    expect(
      (await anon().post('/api/v1/auth/login', { email: user.email, password: user.password })).status,
    ).toBe(200);
    expect((await admin.client.request('DELETE', `/api/v1/users/${user.id}/mfa/totp`)).status).toBe(404);
    expect((await admin.client.request('DELETE', '/api/v1/users/no-such-user/mfa/totp')).status).toBe(404);
    const off = await auditEntries(admin, `&action=mfa.totp_disabled`);
    expect(off.find((e) => e.target === user.id)).toMatchObject({
      actor_id: admin.id,
      details: { via: 'admin' },
    });
  });

  it('lets an admin sign in with the password alone when PORTICO_REQUIRE_ADMIN_MFA is not set', async () => {
    const res = await anon().post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
  });
});

describe.skipIf(skip)(`identity: PORTICO_REQUIRE_ADMIN_MFA=true (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startIdentity({ PORTICO_REQUIRE_ADMIN_MFA: 'true' });
  });
  afterAll(() => env?.stop());
  const anon = () => env.as('identity', null);

  it('refuses an admin without a second factor and lets them enrol at sign-in; then a code is required', async () => {
    const refused = await anon().post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'mfa_enrollment_required', expires_in: 300 });
    expect(refused.body).not.toHaveProperty('access_token');
    const token = refused.body.mfa_token;
    // An enrolment token is not a second factor: it cannot finish a sign-in.
    expect((await anon().post('/api/v1/auth/login/mfa', { mfa_token: token, code: '123456' })).status).toBe(
      401,
    );

    const start = await anon().post('/api/v1/auth/login/mfa/totp', { mfa_token: token });
    expect(start.status).toBe(200);
    const wrong = await anon().post('/api/v1/auth/login/mfa/totp/confirm', {
      mfa_token: token,
      code: await codeFor(start.body.secret, -120),
    });
    expect(wrong.status).toBe(422);
    const done = await anon().post('/api/v1/auth/login/mfa/totp/confirm', {
      mfa_token: token,
      code: await codeFor(start.body.secret),
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ token_type: 'Bearer', user: { email: ADMIN_EMAIL, roles: ['admin'] } });
    expect(done.body.recovery_codes).toHaveLength(10);
    // Spent: the enrolment token cannot be used again.
    expect((await anon().post('/api/v1/auth/login/mfa/totp', { mfa_token: token })).status).toBe(401);

    const again = await anon().post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('mfa_required');
    const ok = await anon().post('/api/v1/auth/login/mfa', {
      mfa_token: again.body.mfa_token,
      code: await codeFor(start.body.secret, 1),
    });
    expect(ok.status).toBe(200);
    const adminClient = env.as('identity', callerOf(ok.body.access_token));
    const log = (await adminClient.get('/api/v1/audit-logs?limit=100&action=auth.login')).body.data;
    expect(
      log.find((e: any) => e.outcome === 'failure' && e.details.reason === 'mfa_enrollment_required'),
    ).toBeTruthy();
  });

  it('does not hold other roles to it', async () => {
    const user = await signUp(env);
    expect(
      (await anon().post('/api/v1/auth/login', { email: user.email, password: user.password })).status,
    ).toBe(200);
  });
});
