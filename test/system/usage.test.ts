/**
 * Usage analytics through the gateway (docs/usage.md), in either mode: requests made with an
 * API key show in its owner's `GET /api/v1/usage`, split by status; another user's usage is a
 * 404; an admin sees who still calls a deprecated route (`categories`, marked deprecated by
 * this test's config). The gateway flushes every 100 ms here, so usage appears promptly.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '@portico/kit/testing';
import { startSystem, systemMode, systemUnavailable, type System } from './harness.ts';

const skip = await systemUnavailable();

interface Report {
  user_id: string | null;
  api_key_id: string | null;
  totals: { requests: number };
  by_route: { route: string; method: string; requests: number }[];
  by_status: { status: number; requests: number }[];
  series: { at: string; requests: number }[];
}

describe.skipIf(skip)(`usage analytics (${systemMode})`, () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({
      services: ['tasks'],
      configure: (doc) => {
        doc.usage = { flush_interval: '100ms' };
        const categories = (doc.routes as { name?: string; deprecated?: unknown }[]).find(
          (r) => r.name === 'categories',
        )!;
        categories.deprecated = { since: '2026-01-01', successor: '/api/v1/tasks' };
      },
    });
  }, 120_000);
  afterAll(() => sys?.stop());

  it("counts a key's 7 calls by status for its owner, and hides them from another user", async () => {
    const owner = await sys.signUp();
    const created = await owner.client.post('/api/v1/api-keys', {
      name: 'usage',
      scopes: ['tasks:read:own'],
    });
    expect(created.status).toBe(201);
    const keyId = created.body.id as string;
    const withKey = httpClient(sys.url, () => ({ 'x-api-key': created.body.key as string }));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await withKey.get('/api/v1/tasks')).status);
    for (let i = 0; i < 2; i++) statuses.push((await withKey.get(`/api/v1/tasks/${randomUUID()}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404, 404]);

    const report = await sys.eventually(async () => {
      const res = await owner.client.get(`/api/v1/usage?key=${keyId}`);
      expect(res.status).toBe(200);
      const body = res.body as Report;
      return body.totals.requests === 7 && body;
    });
    expect(report.user_id).toBe(owner.id);
    expect(report.api_key_id).toBe(keyId);
    expect(report.by_status).toEqual([
      { status: 200, requests: 5 },
      { status: 404, requests: 2 },
    ]);
    expect(report.by_route).toMatchObject([{ route: '/api/v1/tasks', method: 'GET', requests: 7 }]);
    expect(report.series.reduce((n, s) => n + s.requests, 0)).toBe(7);
    // The owner's own usage (no filter) includes the key's calls.
    const own = (await owner.client.get('/api/v1/usage?status=404')).body as Report;
    expect(own.totals.requests).toBe(2);

    const other = await sys.signUp();
    for (const query of [`key=${keyId}`, `api_key_id=${keyId}`, `user_id=${owner.id}`]) {
      const res = await other.client.get(`/api/v1/usage?${query}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ code: 'not_found' });
    }
    // An admin reads anyone's.
    const admin = await sys.admin();
    const seen = (await admin.client.get(`/api/v1/usage?api_key_id=${keyId}`)).body as Report;
    expect(seen.totals.requests).toBe(7);
    const bad = await owner.client.get('/api/v1/usage?status=99&from=yesterday');
    expect(bad.status).toBe(422);
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual([
      'from',
      'status',
    ]);
  });

  it('lists the callers of a deprecated route to admins only', async () => {
    const caller = await sys.signUp();
    const res = await caller.client.get('/api/v1/categories');
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toMatch(/^@\d+$/);
    expect((await caller.client.get('/api/v1/usage/deprecated')).status).toBe(403);
    const admin = await sys.admin();
    const callers = await sys.eventually(async () => {
      const list = await admin.client.get('/api/v1/usage/deprecated');
      expect(list.status).toBe(200);
      const data = (list.body as { data: { route: string; user_id: string | null; requests: number }[] })
        .data;
      return data.find((c) => c.user_id === caller.id);
    });
    expect(callers).toMatchObject({
      route: '/api/v1/categories',
      method: 'GET',
      api_key_id: null,
      requests: 1,
    });
  });
});
