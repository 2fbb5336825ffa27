/**
 * Usage recording (src/usage/): the in-memory rollup per minute, its flush into the SQL store
 * (PGlite here, the same SQL as PostgreSQL), two recorders (two worker threads) adding into the
 * same minute, a failed write kept for the next flush, retention and the deprecated callers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { PGliteProvider } from '@portico/kit/runtime';
import { UsageRecorder, type UsageHit } from '../src/usage/recorder.ts';
import { SqlUsageStore, type UsageRow, type UsageStore } from '../src/usage/store.ts';
import { explain, loadGatewayConfig, startGatewayWorkers } from '../src/index.ts';
import { echoService, makeConfig, quietLogger, SECRET } from './helpers.ts';

const SHIPPED = resolve(import.meta.dirname, '../../../portico.yaml');

const log = pino({ level: 'silent' });
const settings = { sampleRate: 1, flushMs: 60_000, retentionDays: 30 };
const NOW = Date.UTC(2026, 11, 6, 5, 30, 10);
const MINUTE = Math.floor(NOW / 60_000);

function hit(over: Partial<UsageHit> = {}): UsageHit {
  return {
    route: '/api/v1/tasks/{id}',
    method: 'GET',
    status: 200,
    latencyMs: 2,
    userId: 'user-a',
    apiKeyId: 'key-a',
    plan: null,
    deprecated: false,
    ...over,
  };
}

const window = { fromMinute: MINUTE - 10, toMinute: MINUTE + 10 };

describe('usage recording', () => {
  let provider: PGliteProvider;
  let store: SqlUsageStore;
  beforeAll(async () => {
    provider = await PGliteProvider.open({});
    store = await SqlUsageStore.open(await provider.forService('usage'));
  }, 60_000);
  afterAll(() => provider?.close());

  it('rolls 7 requests of one key into rows per status, written once on flush', async () => {
    const rec = new UsageRecorder(store, settings, log);
    for (let i = 0; i < 5; i++) rec.record(hit({ latencyMs: 1 + i }), NOW);
    for (let i = 0; i < 2; i++) rec.record(hit({ status: 404 }), NOW);
    expect(rec.pending).toBe(2);
    await rec.flush();
    expect(rec.pending).toBe(0);
    await rec.flush(); // nothing left: nothing added
    const r = await store.report({ ...window, apiKeyId: 'key-a' }, 'day');
    expect(r.totals).toEqual({ requests: 7, latency_ms_avg: 2.7, latency_ms_max: 5 });
    expect(r.by_status).toEqual([
      { status: 200, requests: 5 },
      { status: 404, requests: 2 },
    ]);
    expect(r.by_route).toEqual([
      { route: '/api/v1/tasks/{id}', method: 'GET', requests: 7, latency_ms_avg: 2.7, latency_ms_max: 5 },
    ]);
    expect(r.series).toEqual([{ at: Math.floor(MINUTE / 1440) * 1440, requests: 7 }]);
    expect((await store.report({ ...window, apiKeyId: 'key-a', status: 404 }, 'minute')).series).toEqual([
      { at: MINUTE, requests: 2 },
    ]);
    expect(await store.keyUsedByOther('key-a', 'user-a', window)).toBe(false);
    expect(await store.keyUsedByOther('key-a', 'user-b', window)).toBe(true);
  });

  it('adds the rollups of two recorders (two worker threads) into the same minute', async () => {
    const one = new UsageRecorder(store, settings, log);
    const two = new UsageRecorder(store, settings, log);
    for (let i = 0; i < 4; i++) one.record(hit({ userId: 'user-w', apiKeyId: null }), NOW);
    for (let i = 0; i < 6; i++) two.record(hit({ userId: 'user-w', apiKeyId: null }), NOW);
    await Promise.all([one.close(), two.close()]);
    const r = await store.report({ ...window, userId: 'user-w' }, 'day');
    expect(r.totals.requests).toBe(10);
    expect(r.by_key).toEqual([{ api_key_id: null, requests: 10 }]);
  });

  it('keeps a batch whose write failed and writes it with the next flush, counted once', async () => {
    let failures = 1;
    const flaky: UsageStore = {
      write: (rows: readonly UsageRow[]) =>
        failures-- > 0 ? Promise.reject(new Error('store down')) : store.write(rows),
      report: (f, i) => store.report(f, i),
      deprecatedCallers: (f) => store.deprecatedCallers(f),
      keyUsedByOther: (k, u, w) => store.keyUsedByOther(k, u, w),
      prune: (m) => store.prune(m),
      close: () => store.close(),
    };
    const rec = new UsageRecorder(flaky, settings, log);
    rec.record(hit({ userId: 'user-f', apiKeyId: null }), NOW);
    await rec.flush();
    expect(rec.pending).toBe(1);
    rec.record(hit({ userId: 'user-f', apiKeyId: null }), NOW);
    rec.record(hit({ userId: 'user-f', apiKeyId: null, status: 500 }), NOW);
    await rec.flush();
    expect(rec.pending).toBe(0);
    const r = await store.report({ ...window, userId: 'user-f' }, 'day');
    expect(r.by_status).toEqual([
      { status: 200, requests: 2 },
      { status: 500, requests: 1 },
    ]);
  });

  it('records the plan (default when none) and counts a sampled request as 1 / rate', async () => {
    const rec = new UsageRecorder(store, { ...settings, sampleRate: 0.5 }, log);
    const random = Math.random;
    Math.random = () => 0.1; // every request falls in the sample
    try {
      rec.record(hit({ userId: 'user-s', apiKeyId: null, plan: 'pro' }), NOW);
      rec.record(hit({ userId: 'user-s', apiKeyId: null }), NOW);
    } finally {
      Math.random = random;
    }
    await rec.close();
    expect((await store.report({ ...window, userId: 'user-s' }, 'day')).totals.requests).toBe(4);
  });

  it("counts the requests of two worker threads once each, through the main thread's store", async () => {
    const upstream = await echoService('things');
    const pool = await startGatewayWorkers({
      workers: 2,
      config: makeConfig(
        { things: [upstream.url] },
        [{ path: '/api/v1/things', methods: ['GET'], service: 'things', auth: 'none' }],
        { usage: { flush_interval: '100ms' } },
      ),
      passportSecret: SECRET,
      logger: quietLogger,
      port: 0,
      usageStore: store,
    });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${pool.url}/api/v1/things`, { headers: { connection: 'close' } }).then((r) => r.status),
        ),
      );
      expect(statuses).toEqual(Array(20).fill(200));
    } finally {
      await pool.close(); // each worker flushes what is left before it exits
      await upstream.close();
    }
    const now = Math.floor(Date.now() / 60_000);
    const r = await store.report({ fromMinute: now - 2, toMinute: now + 2, route: '/api/v1/things' }, 'day');
    expect(r.totals.requests).toBe(20);
  }, 60_000);

  it('lists the callers of deprecated routes and deletes minutes past retention', async () => {
    const rec = new UsageRecorder(store, settings, log);
    rec.record(hit({ route: '/api/v1/old', userId: 'user-d', apiKeyId: null, deprecated: true }), NOW);
    rec.record(
      hit({ route: '/api/v1/old', userId: 'user-d', apiKeyId: null, deprecated: true }),
      NOW - 120_000,
    );
    await rec.close();
    expect(await store.deprecatedCallers(window)).toEqual([
      {
        route: '/api/v1/old',
        method: 'GET',
        user_id: 'user-d',
        api_key_id: null,
        requests: 2,
        last_minute: MINUTE,
      },
    ]);
    expect(await store.prune(MINUTE)).toBe(1);
    expect((await store.deprecatedCallers(window))[0]!.requests).toBe(1);
  });
});

describe('portico explain', () => {
  const jwt = (claims: object) =>
    ['{"alg":"EdDSA"}', JSON.stringify(claims)].map((p) => Buffer.from(p).toString('base64url')).join('.') +
    '.x';

  it('says each request is recorded in usage, and what the usage routes answer', async () => {
    const config = await loadGatewayConfig(SHIPPED);
    const login = explain(config, 'POST', '/api/v1/auth/login');
    expect(login.steps.find((s) => s.step === 'usage')?.detail).toMatch(
      /^recorded in usage analytics as POST \/api\/v1\/auth\/login /,
    );
    const token = {
      authorization: `Bearer ${jwt({ sub: 'u1', roles: ['user'], iss: 'portico-identity', aud: 'portico', exp: 4102444800 })}`,
    };
    expect(explain(config, 'GET', '/api/v1/usage?key=k1', token).outcome).toMatch(
      /^answered by the gateway: 200 \{totals, by_route, by_status, by_key, series\}/,
    );
    expect(explain(config, 'GET', '/api/v1/usage/deprecated', token).outcome).toMatch(/^403/);
  });
});
