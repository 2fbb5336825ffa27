import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, type TestServices } from '@portico/kit/testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  auditEntries,
  collectEvents,
  login,
  signUp,
  startIdentity,
  uniqueEmail,
  type Session,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`identity: users, roles and admins (${matrixLabel})`, () => {
  let env: TestServices;
  let admin: Session;
  let events: Awaited<ReturnType<typeof collectEvents>>;
  beforeAll(async () => {
    env = await startIdentity();
    events = await collectEvents(env, [
      'session.revoked',
      'user.disabled',
      'user.roles_changed',
      'user.updated',
    ]);
    admin = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await events?.stop();
    await env?.stop();
  });

  it('creates the bootstrap admin from the environment on first start', async () => {
    const me = await admin.client.get('/api/v1/auth/me');
    expect(me.body).toMatchObject({ email: ADMIN_EMAIL, roles: ['admin'], permissions: ['*'] });
  });

  it('answers 403 to a user on users administration, roles, the audit log and key rotation', async () => {
    const u = await signUp(env);
    const other = await signUp(env);
    for (const res of [
      await u.client.get('/api/v1/users'),
      await u.client.post('/api/v1/users', {
        email: uniqueEmail(),
        password: 'a-perfectly-fine-passphrase',
        full_name: 'X',
        roles: ['user'],
      }),
      await u.client.put(`/api/v1/users/${u.id}/roles`, { roles: ['admin'] }),
      await u.client.put(`/api/v1/users/${other.id}/roles`, { roles: ['admin'] }),
      await u.client.patch(`/api/v1/users/${other.id}`, { full_name: 'x' }),
      await u.client.delete(`/api/v1/users/${other.id}`),
      await u.client.get('/api/v1/audit-logs'),
      await u.client.post('/api/v1/signing-keys/rotate', {}),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
  });

  it('lets a user read themselves but not others (404)', async () => {
    const u = await signUp(env);
    const other = await signUp(env);
    expect((await u.client.get(`/api/v1/users/${u.id}`)).status).toBe(200);
    expect((await u.client.get(`/api/v1/users/${other.id}`)).status).toBe(404);
  });

  it('lets an admin list users, paginated and filtered, with no hashes', async () => {
    const a = await signUp(env);
    await signUp(env);
    await signUp(env);
    const page1 = await admin.client.get('/api/v1/users?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.has_more).toBe(true);
    expect(page1.headers.get('link')).toMatch(/rel="next"/);
    const page2 = await admin.client.get(`/api/v1/users?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.data[0].id).not.toBe(page1.body.data[1].id);
    expect(JSON.stringify([page1.body, page2.body])).not.toMatch(/hash|argon2|password/i);
    const byQ = await admin.client.get(`/api/v1/users?q=${encodeURIComponent(a.email.toUpperCase())}`);
    expect(byQ.body.data.map((u: any) => u.id)).toEqual([a.id]);
    const admins = await admin.client.get('/api/v1/users?role=admin');
    expect(admins.body.data.every((u: any) => u.roles.includes('admin'))).toBe(true);
    expect((await admin.client.get('/api/v1/users?limit=0')).status).toBe(422);
  });

  it('lets an admin create a user with roles (201)', async () => {
    const email = uniqueEmail('staff');
    const res = await admin.client.post('/api/v1/users', {
      email,
      password: 'a-perfectly-fine-passphrase',
      full_name: 'Sam',
      roles: ['staff'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email, roles: ['staff'] });
    expect(res.headers.get('location')).toBe(`/api/v1/users/${res.body.id}`);
    const bad = await admin.client.post('/api/v1/users', {
      email: uniqueEmail(),
      password: 'a-perfectly-fine-passphrase',
      full_name: 'S',
      roles: ['emperor'],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toMatch(/^roles/);
  });

  it('refuses roles in PATCH /users/{id} as an unknown field (422)', async () => {
    const u = await signUp(env);
    const res = await admin.client.patch(`/api/v1/users/${u.id}`, { roles: ['admin'] });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual(
      expect.objectContaining({ field: 'roles', code: 'unknown_field' }),
    );
  });

  it('lets an admin update name and email; a taken email answers 409', async () => {
    const u = await signUp(env);
    const other = await signUp(env);
    const email = uniqueEmail('renamed');
    const res = await admin.client.patch(`/api/v1/users/${u.id}`, {
      full_name: 'Renamed',
      email: email.toUpperCase(),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ full_name: 'Renamed', email });
    expect((await admin.client.patch(`/api/v1/users/${u.id}`, { email: other.email })).status).toBe(409);
  });

  it('assigns roles (200), audits the old and new roles and publishes user.roles_changed', async () => {
    const u = await signUp(env);
    const res = await admin.client.put(`/api/v1/users/${u.id}/roles`, { roles: ['instructor', 'user'] });
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['instructor', 'user']);
    const entry = (await auditEntries(admin, `&action=user.roles_changed&actor_id=${admin.id}`)).find(
      (e) => e.target === u.id,
    );
    expect(entry).toMatchObject({
      outcome: 'success',
      details: { old_roles: ['user'], new_roles: ['instructor', 'user'] },
    });
    const ev = await events.find((e) => e.type === 'user.roles_changed' && e.data.user_id === u.id);
    expect(ev.data).toEqual({
      user_id: u.id,
      old_roles: ['user'],
      new_roles: ['instructor', 'user'],
      changed_by: admin.id,
    });
  });

  it('disables a user: 204, their login answers 403, their sessions end, and revocation events go out', async () => {
    const u = await signUp(env);
    const res = await admin.client.delete(`/api/v1/users/${u.id}`);
    expect(res.status).toBe(204);
    const login403 = await env
      .as('identity', null)
      .post('/api/v1/auth/login', { email: u.email, password: u.password });
    expect(login403.status).toBe(403);
    expect(login403.body.code).toBe('account_disabled');
    const wrong = await env
      .as('identity', null)
      .post('/api/v1/auth/login', { email: u.email, password: 'wrong-password-here' });
    expect(wrong.status).toBe(401);
    expect(
      (await env.as('identity', null).post('/api/v1/auth/refresh', { refresh_token: u.refresh_token }))
        .status,
    ).toBe(401);
    const disabled = await events.find((e) => e.type === 'user.disabled' && e.data.user_id === u.id);
    expect(Date.parse(disabled.data.expires_at)).toBeGreaterThan(Date.now());
    const revoked = await events.find((e) => e.type === 'session.revoked' && e.data.user_id === u.id);
    expect(revoked.data.reason).toBe('user_disabled');
    const got = await admin.client.get(`/api/v1/users/${u.id}`);
    expect(got.body.status).toBe('disabled');
    // Re-enabled, they may sign in again.
    expect((await admin.client.patch(`/api/v1/users/${u.id}`, { status: 'active' })).body.status).toBe(
      'active',
    );
    expect(
      (await env.as('identity', null).post('/api/v1/auth/login', { email: u.email, password: u.password }))
        .status,
    ).toBe(200);
  });

  it('refuses to disable or demote the bootstrap admin (409)', async () => {
    expect((await admin.client.delete(`/api/v1/users/${admin.id}`)).status).toBe(409);
    expect((await admin.client.patch(`/api/v1/users/${admin.id}`, { status: 'disabled' })).status).toBe(409);
    const demote = await admin.client.put(`/api/v1/users/${admin.id}/roles`, { roles: ['user'] });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('conflict');
    expect((await login(env, ADMIN_EMAIL, ADMIN_PASSWORD)).id).toBe(admin.id);
  });

  it('lets a second admin be demoted while another admin remains', async () => {
    const second = await signUp(env, ['admin']);
    const res = await admin.client.put(`/api/v1/users/${second.id}/roles`, { roles: ['user'] });
    expect(res.status).toBe(200);
  });

  it('answers 404 for an unknown user', async () => {
    expect((await admin.client.get('/api/v1/users/nope')).status).toBe(404);
    expect((await admin.client.delete('/api/v1/users/nope')).status).toBe(404);
    expect((await admin.client.put('/api/v1/users/nope/roles', { roles: ['user'] })).status).toBe(404);
  });
});
