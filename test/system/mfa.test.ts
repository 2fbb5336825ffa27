/**
 * Second factors through the gateway (docs/mfa.md), in both modes: TOTP enrolment on the
 * user's own session, the password login's `mfa_required` challenge and its second step, code
 * replay and recovery codes, turning it off, and admins held to a second factor when
 * `PORTICO_REQUIRE_ADMIN_MFA=true`. The browser's code step is in oauth.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeFor, enrolledUser } from './totp.ts';
import { startSystem, systemMode, systemUnavailable, type System } from './harness.ts';

const skip = await systemUnavailable();

describe.skipIf(skip)(`second factors through the gateway (${systemMode})`, () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity'], env: { PORTICO_REQUIRE_ADMIN_MFA: 'true' } });
  }, 180_000);
  afterAll(() => sys?.stop());

  it('password login asks for a code through the gateway; a good code signs in, a reused or wrong one does not', async () => {
    const { who, secret, recoveryCodes } = await enrolledUser(sys);
    expect(recoveryCodes).toHaveLength(10);
    expect((await who.client.get('/api/v1/auth/me')).body).toMatchObject({ mfa: { totp: true } });
    const password = { email: who.email, password: who.password };

    const first = await sys.anonymous.post('/api/v1/auth/login', password);
    expect(first.status).toBe(401);
    expect(first.body).toMatchObject({
      code: 'mfa_required',
      type: expect.stringContaining('mfa_required'),
    });
    const token = (first.body as { mfa_token: string }).mfa_token;
    const wrong = await sys.anonymous.post('/api/v1/auth/login/mfa', {
      mfa_token: token,
      code: await codeFor(secret, -120),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'invalid_mfa_code' });
    const code = await codeFor(secret, 1);
    const ok = await sys.anonymous.post('/api/v1/auth/login/mfa', { mfa_token: token, code });
    expect(ok.status).toBe(200);
    const access = (ok.body as { access_token: string }).access_token;
    expect((await sys.withToken(access).get('/api/v1/auth/me')).body).toMatchObject({ id: who.id });

    const again = await sys.anonymous.post('/api/v1/auth/login', password);
    const reused = await sys.anonymous.post('/api/v1/auth/login/mfa', {
      mfa_token: (again.body as { mfa_token: string }).mfa_token,
      code,
    });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({
      code: 'invalid_mfa_code',
      errors: [{ field: 'code', code: 'reused' }],
    });
    const recovery = { recovery_code: recoveryCodes[0] };
    for (const expected of [200, 401]) {
      const challenge = await sys.anonymous.post('/api/v1/auth/login', password);
      const res = await sys.anonymous.post('/api/v1/auth/login/mfa', {
        mfa_token: (challenge.body as { mfa_token: string }).mfa_token,
        ...recovery,
      });
      expect(res.status).toBe(expected);
    }

    // Turning it off takes the password (a DELETE with a body, through the gateway).
    const off = await sys
      .withToken(access)
      .request('DELETE', '/api/v1/auth/mfa/totp', { password: who.password });
    expect(off.status).toBe(204);
    expect((await sys.anonymous.post('/api/v1/auth/login', password)).status).toBe(200);
  });

  it('an API key cannot manage second factors (a person’s session only)', async () => {
    const who = await sys.signUp();
    const key = await who.client.post('/api/v1/api-keys', { name: 'ci' });
    expect(key.status).toBe(201);
    const res = await sys.anonymous.post(
      '/api/v1/auth/mfa/totp',
      {},
      { 'x-api-key': (key.body as { key: string }).key },
    );
    expect(res.status).toBe(403);
  });

  it('refuses an admin without a second factor and lets them enrol with the mfa_token it hands out', async () => {
    const { email, password } = sys.adminCredentials;
    const refused = await sys.anonymous.post('/api/v1/auth/login', { email, password });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'mfa_enrollment_required' });
    expect(refused.body).not.toHaveProperty('access_token');
    const mfa_token = (refused.body as { mfa_token: string }).mfa_token;
    const start = await sys.anonymous.post('/api/v1/auth/login/mfa/totp', { mfa_token });
    expect(start.status).toBe(200);
    const secret = (start.body as { secret: string }).secret;
    const done = await sys.anonymous.post('/api/v1/auth/login/mfa/totp/confirm', {
      mfa_token,
      code: await codeFor(secret),
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ user: { email, roles: ['admin'] } });
    expect((done.body as { recovery_codes: string[] }).recovery_codes).toHaveLength(10);
    const access = (done.body as { access_token: string }).access_token;
    expect((await sys.withToken(access).get('/api/v1/users?limit=1')).status).toBe(200);

    const again = await sys.anonymous.post('/api/v1/auth/login', { email, password });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'mfa_required' });
  });
});
