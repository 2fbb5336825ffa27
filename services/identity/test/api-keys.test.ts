import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '@portico/kit';
import { API_KEY_VERIFY_PATH } from '@portico/contracts';
import { matrixLabel, matrixUnavailable, userCaller, type TestServices } from '@portico/kit/testing';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  auditEntries,
  collectEvents,
  login,
  signUp,
  startIdentity,
  type Session,
} from './helpers.ts';

const skip = await matrixUnavailable();
const gateway: Caller = { id: null, roles: [], permissions: [], auth: 'service', service: 'gateway' };

describe.skipIf(skip)(`identity: API keys (${matrixLabel})`, () => {
  let env: TestServices;
  let admin: Session;
  let events: Awaited<ReturnType<typeof collectEvents>>;
  const verify = (key: string, caller: Caller | null = gateway) =>
    env.as('identity', caller).post(API_KEY_VERIFY_PATH, { key });
  beforeAll(async () => {
    env = await startIdentity();
    events = await collectEvents(env, ['api_key.revoked', 'plan.changed']);
    admin = await login(env, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await events?.stop();
    await env?.stop();
  });

  it('shows the key once in the 201 and never lists it again', async () => {
    const u = await signUp(env);
    const res = await u.client.post('/api/v1/api-keys', { name: 'ci', scopes: ['orders:read:own'] });
    expect(res.status).toBe(201);
    expect(res.body.key).toMatch(/^pk_live_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({
      name: 'ci',
      scopes: ['orders:read:own'],
      prefix: res.body.key.slice(0, 12),
      last4: res.body.key.slice(-4),
      expires_at: null,
      last_used_at: null,
    });
    expect(res.headers.get('location')).toBe(`/api/v1/api-keys/${res.body.id}`);
    const list = await u.client.get('/api/v1/api-keys');
    expect(list.body.data.map((k: any) => k.id)).toEqual([res.body.id]);
    const one = await u.client.get(`/api/v1/api-keys/${res.body.id}`);
    for (const body of [list.body, one.body]) {
      expect(JSON.stringify(body)).not.toContain(res.body.key);
      expect(JSON.stringify(body)).not.toContain(res.body.key.slice(12, 40));
      expect(JSON.stringify(body)).not.toMatch(/"key"|hash/);
    }
  });

  it('defaults the scopes to the owner’s permissions and refuses scopes beyond them (422)', async () => {
    const u = await signUp(env);
    const def = await u.client.post('/api/v1/api-keys', { name: 'all mine' });
    expect(def.body.scopes).toContain('orders:*:own');
    for (const scopes of [['users:read'], ['orders:read'], ['*']]) {
      const res = await u.client.post('/api/v1/api-keys', { name: 'too much', scopes });
      expect(res.status).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ field: 'scopes.0', code: 'not_permitted' });
    }
    const pattern = await u.client.post('/api/v1/api-keys', { name: 'x', scopes: ['Not A Scope'] });
    expect(pattern.status).toBe(422);
    const past = await u.client.post('/api/v1/api-keys', {
      name: 'x',
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.body.errors[0]).toMatchObject({ field: 'expires_at', code: 'in_past' });
  });

  it('verifies a key for the gateway (service passport) and records when it was last used', async () => {
    const u = await signUp(env);
    const created = await u.client.post('/api/v1/api-keys', {
      name: 'k',
      scopes: ['orders:read:own', 'products:read'],
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const res = await verify(created.body.key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: true,
      api_key_id: created.body.id,
      user_id: u.id,
      roles: ['user'],
      scopes: ['orders:read:own', 'products:read'],
      expires_at: created.body.expires_at,
      api_version: created.body.api_version,
      plan: null,
    });
    await env.eventually(
      async () => (await u.client.get(`/api/v1/api-keys/${created.body.id}`)).body.last_used_at,
    );
  });

  it('hides the verify route from anyone but a service (404)', async () => {
    const u = await signUp(env);
    const created = await u.client.post('/api/v1/api-keys', { name: 'k' });
    expect((await verify(created.body.key, null)).status).toBe(404);
    expect((await verify(created.body.key, userCaller(u.id))).status).toBe(404);
    expect((await verify(created.body.key, { ...userCaller(admin.id, ['admin']) })).status).toBe(404);
  });

  it('answers valid: false to an unknown, malformed, revoked or expired key and to a disabled owner', async () => {
    expect((await verify('pk_live_' + 'A'.repeat(43))).body).toEqual({ valid: false });
    expect((await verify('not a key')).body).toEqual({ valid: false });
    const u = await signUp(env);
    const expiring = await u.client.post('/api/v1/api-keys', {
      name: 'e',
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    await env.services
      .get('identity')!
      .deps.db.updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.body.id)
      .execute();
    expect((await verify(expiring.body.key)).body).toEqual({ valid: false });
    const owned = await u.client.post('/api/v1/api-keys', { name: 'd' });
    expect((await verify(owned.body.key)).body.valid).toBe(true);
    expect((await admin.client.delete(`/api/v1/users/${u.id}`)).status).toBe(204);
    expect((await verify(owned.body.key)).body).toEqual({ valid: false });
  });

  it('revokes with 204, publishes api_key.revoked and audits; the key then fails verification', async () => {
    const u = await signUp(env);
    const created = await u.client.post('/api/v1/api-keys', { name: 'gone soon' });
    const res = await u.client.delete(`/api/v1/api-keys/${created.body.id}`);
    expect(res.status).toBe(204);
    expect((await verify(created.body.key)).body).toEqual({ valid: false });
    const ev = await events.find(
      (e) => e.type === 'api_key.revoked' && e.data.api_key_id === created.body.id,
    );
    expect(ev.data).toEqual({ api_key_id: created.body.id, user_id: u.id });
    expect((await u.client.get('/api/v1/api-keys')).body.data).toEqual([]);
    expect((await u.client.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(404);
    const actions = (await auditEntries(admin, `&actor_id=${u.id}`)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked']));
  });

  it("carries plans: a key has its own, else the owner's one; admins set them, audited and published", async () => {
    const u = await signUp(env);
    const created = await u.client.post('/api/v1/api-keys', { name: 'planned', scopes: ['orders:read:own'] });
    expect((await verify(created.body.key)).body.plan).toBeNull();

    expect((await u.client.put(`/api/v1/users/${u.id}/plan`, { plan: 'pro' })).status).toBe(403);
    const bad = await admin.client.put(`/api/v1/users/${u.id}/plan`, { plan: 'PRO plan' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('plan');
    expect((await admin.client.put('/api/v1/users/nobody/plan', { plan: 'pro' })).status).toBe(404);

    const user = await admin.client.put(`/api/v1/users/${u.id}/plan`, { plan: 'pro' });
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ id: u.id, plan: 'pro' });
    expect((await verify(created.body.key)).body.plan).toBe('pro');
    const key = await admin.client.put(`/api/v1/api-keys/${created.body.id}/plan`, { plan: 'free' });
    expect(key.body).toMatchObject({ id: created.body.id, plan: 'free' });
    expect((await verify(created.body.key)).body.plan).toBe('free');
    expect(
      (await admin.client.put(`/api/v1/api-keys/${created.body.id}/plan`, { plan: null })).body.plan,
    ).toBeNull();
    expect((await verify(created.body.key)).body.plan).toBe('pro');

    const ev = await events.find((e) => e.type === 'plan.changed' && e.data.api_key_id === created.body.id);
    expect(ev.data).toEqual({
      user_id: u.id,
      api_key_id: created.body.id,
      plan: 'free',
      changed_by: admin.id,
    });
    const actions = (await auditEntries(admin, `&actor_id=${admin.id}`))
      .filter((e) => e.target === u.id || e.target === created.body.id)
      .map((e) => [e.action, e.details.new_plan]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['user.plan_changed', 'pro'],
        ['api_key.plan_changed', 'free'],
        ['api_key.plan_changed', null],
      ]),
    );
    // The user's access token carries the plan from their next sign-in or refresh.
    const again = await login(env, u.email, u.password);
    const claims = JSON.parse(Buffer.from(again.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims.plan).toBe('pro');
  });

  it('lets only the owner or an admin see and revoke a key (others get 404)', async () => {
    const owner = await signUp(env);
    const stranger = await signUp(env);
    const created = await owner.client.post('/api/v1/api-keys', { name: 'mine' });
    expect((await stranger.client.get(`/api/v1/api-keys/${created.body.id}`)).status).toBe(404);
    expect((await stranger.client.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(404);
    expect((await stranger.client.get(`/api/v1/api-keys?user_id=${owner.id}`)).body.data).toEqual([]);
    expect((await admin.client.get(`/api/v1/api-keys?user_id=${owner.id}`)).body.data).toHaveLength(1);
    expect((await admin.client.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
  });

  it('lets a key create keys only within its own scopes', async () => {
    const u = await signUp(env);
    const narrow = await u.client.post('/api/v1/api-keys', { name: 'narrow', scopes: ['api-keys:*:own'] });
    const asKey = env.as('identity', {
      id: u.id,
      roles: ['user'],
      permissions: ['api-keys:*:own'],
      auth: 'api_key',
      apiKeyId: narrow.body.id,
    });
    const wider = await asKey.post('/api/v1/api-keys', { name: 'wider', scopes: ['orders:*:own'] });
    expect(wider.status).toBe(422);
    const dflt = await asKey.post('/api/v1/api-keys', { name: 'default' });
    expect(dflt.status).toBe(201);
    expect(dflt.body.scopes).toEqual(['api-keys:*:own']);
  });

  it('narrows a key’s scopes when its owner loses the permissions', async () => {
    const staff = await signUp(env, ['staff']);
    const created = await staff.client.post('/api/v1/api-keys', {
      name: 'staff key',
      scopes: ['students:read', 'api-keys:read:own'],
    });
    expect(created.status).toBe(201);
    expect((await verify(created.body.key)).body.scopes).toEqual(['students:read', 'api-keys:read:own']);
    await admin.client.put(`/api/v1/users/${staff.id}/roles`, { roles: ['user'] });
    expect((await verify(created.body.key)).body).toMatchObject({
      valid: true,
      roles: ['user'],
      scopes: ['api-keys:read:own'],
    });
  });
});
