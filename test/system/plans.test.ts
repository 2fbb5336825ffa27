/**
 * Consumer plans (docs/plans.md) through the gateway: an admin puts an API key on the `free`
 * plan; its rate is a GCRA, so requests just before and just after what would be a window edge
 * never pass more than the rate allows; its monthly quota ends in 429 `quota_exceeded` with the
 * month's end as its reset; upgrading the key to `pro` applies within seconds. In distributed
 * mode the requests alternate between TWO gateway replicas sharing Redis, which count as one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, type TestClient } from '@portico/kit/testing';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

const RATE = 4;
const WINDOW_MS = 4000;
const INTERVAL_MS = WINDOW_MS / RATE;
const QUOTA = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)(`consumer plans (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let owner: Session;
  let keyId: string;
  /** One client per gateway replica, each sending the API key. */
  let replicas: TestClient[];
  let n = 0;
  /** The next replica in turn. */
  const next = () => replicas[n++ % replicas.length]!;

  beforeAll(async () => {
    sys = await startSystem({
      services: [],
      configure: (doc) => {
        doc.plans = {
          default: 'standard',
          tiers: {
            standard: { description: 'no limits of its own' },
            free: {
              rate: { limit: RATE, window: `${WINDOW_MS / 1000}s` },
              monthly_quota: QUOTA,
              concurrency: 2,
            },
            pro: { rate: { limit: 100, window: '1s' }, monthly_quota: 100_000, concurrency: 50 },
          },
        };
      },
    });
    admin = await sys.admin();
    owner = await sys.signUp();
    const created = await owner.client.post('/api/v1/api-keys', {
      name: 'plans',
      scopes: ['profile:read:own'],
    });
    expect(created.status).toBe(201);
    keyId = created.body.id;
    const key = created.body.key as string;
    const urls = systemMode === 'distributed' ? [sys.url, await sys.addGateway()] : [sys.url];
    replicas = urls.map((url) => httpClient(url, () => ({ authorization: `Bearer ${key}` })));
  }, 180_000);
  afterAll(() => sys?.stop());

  it('lets only an admin assign a plan, validating the name', async () => {
    expect((await owner.client.put(`/api/v1/api-keys/${keyId}/plan`, { plan: 'pro' })).status).toBe(403);
    const bad = await admin.client.put(`/api/v1/api-keys/${keyId}/plan`, { plan: 'Pro!' });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['plan']);
    expect((await admin.client.put('/api/v1/api-keys/no-such-key/plan', { plan: 'free' })).status).toBe(404);

    const set = await admin.client.put(`/api/v1/api-keys/${keyId}/plan`, { plan: 'free' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ id: keyId, plan: 'free' });
    const audit = await admin.client.get(`/api/v1/audit-logs?action=api_key.plan_changed`);
    expect(audit.status).toBe(200);
    expect(audit.body.data.find((e: { target: string }) => e.target === keyId).details).toMatchObject({
      old_plan: null,
      new_plan: 'free',
    });
  });

  it('never passes more than the rate around a window edge, across replicas', async () => {
    // Two bursts back to back, one "just before" and one "just after" wherever a fixed window's
    // edge would fall: a fixed window passes RATE in each (2 × RATE); the GCRA passes the burst
    // of RATE plus one per interval elapsed, whichever replica each request reaches.
    const t0 = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 4 * RATE; i++) statuses.push((await next().get('/api/v1/auth/me')).status);
    const elapsed = Date.now() - t0;
    expect(statuses.slice(0, RATE)).toEqual(Array(RATE).fill(200));
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    const passed = statuses.filter((s) => s === 200).length;
    expect(passed).toBeLessThanOrEqual(RATE + Math.floor(elapsed / INTERVAL_MS));

    const limited = await next().get('/api/v1/auth/me');
    if (limited.status === 200) return; // a very slow run earned another request: bound checked above
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers.get('ratelimit-policy')).toContain(`"free/rate";q=${RATE};w=${WINDOW_MS / 1000}`);
    expect(limited.headers.get('ratelimit-policy')).toContain(`"free/quota";q=${QUOTA}`);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('ends the monthly quota in 429 quota_exceeded with the month as its reset', async () => {
    let quota: { headers: Headers; body: any } | null = null;
    for (let i = 0; i < 60 && quota === null; i++) {
      const res = await next().get('/api/v1/auth/me');
      if (res.status === 429 && res.body.code === 'quota_exceeded') quota = res;
      else if (res.status === 429) await sleep(Number(res.headers.get('retry-after')) * 1000);
      else expect(res.status).toBe(200);
    }
    expect(quota).not.toBeNull();
    expect(quota!.headers.get('content-type')).toContain('application/problem+json');
    expect(quota!.body.type).toContain('quota_exceeded');
    const now = new Date();
    const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const expected = Math.ceil((monthEnd - Date.now()) / 1000);
    const retry = Number(quota!.headers.get('retry-after'));
    expect(Math.abs(retry - expected)).toBeLessThanOrEqual(30);
    expect(quota!.headers.get('ratelimit')).toMatch(/"free\/quota";r=0;t=\d+/);
    expect(quota!.body.detail).toContain(new Date(monthEnd).toISOString());
    // Every replica refuses it: the quota is counted once for all.
    for (const r of replicas) expect((await r.get('/api/v1/auth/me')).body.code).toBe('quota_exceeded');
  }, 90_000);

  it('applies an upgrade within seconds on every replica', async () => {
    const up = await admin.client.put(`/api/v1/api-keys/${keyId}/plan`, { plan: 'pro' });
    expect(up.status).toBe(200);
    expect(up.body.plan).toBe('pro');
    for (const r of replicas)
      await sys.eventually(async () => (await r.get('/api/v1/auth/me')).status === 200, 10_000);
    const res = await replicas[0]!.get('/api/v1/auth/me');
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toContain('"pro/rate";q=100;w=1');
  }, 30_000);
});
