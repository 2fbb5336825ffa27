/**
 * Consumer plans through one gateway (memory store): the key's plan from identity's verify
 * answer, a token's from its `plan` claim; past the concurrency cap → 429 `concurrency_limited`
 * and the slot comes back once the answer is over; past the monthly quota → 429
 * `quota_exceeded` with the month's end; the plan's policies in `RateLimit-Policy`; anonymous
 * callers and a plan-less config untouched; `/openapi.json` lists the plans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import {
  json,
  makeConfig,
  until,
  startGateway,
  startIdentity,
  startServer,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';
import { planList, withPlans } from '../src/own/openapi-plans.ts';
import { compilePlans } from '../src/limits/plans.ts';
import type { CompiledRoute } from '../src/config/compile.ts';

let identity: Identity;
let slow: TestServer;
let gw: RunningGateway;
/** Answers the upstream holds until the test lets them go. */
const held: ServerResponse[] = [];
const letGo = () => {
  for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
};

beforeAll(async () => {
  identity = await startIdentity();
  slow = await startServer((req, res) => {
    if (req.url?.startsWith('/health')) return void res.writeHead(200).end('{"status":"ok"}');
    if (req.url?.includes('hold')) held.push(res);
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  identity.apiKeys.set('pk_live_free', {
    valid: true,
    api_key_id: 'key-free',
    user_id: 'user-1',
    roles: ['user'],
    scopes: ['things:read'],
    expires_at: null,
    plan: 'free',
  });
  gw = await startGateway(
    makeConfig(
      { things: [slow.url], identity: [identity.url] },
      [{ prefix: '/api/v1/things', methods: ['GET'], service: 'things', auth: 'optional' }],
      {
        plans: {
          default: 'free',
          tiers: {
            free: { monthly_quota: 3, concurrency: 1 },
            pro: { rate: { limit: 100, window: '10s' } },
          },
        },
      },
    ),
  );
});

afterAll(async () => {
  letGo();
  await gw.close();
  await slow.close();
  await identity.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(gw.url + path, { headers });

describe('plans through the gateway', () => {
  it('holds a key to its concurrency cap and monthly quota', async () => {
    const key = { 'x-api-key': 'pk_live_free' };
    const first = get('/api/v1/things/hold', key);
    await new Promise<void>((r) => {
      const t = setInterval(() => held.length && (clearInterval(t), r()), 10);
    });
    const second = await get('/api/v1/things/x', key);
    expect(second.status).toBe(429);
    expect(second.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(second)).code).toBe('concurrency_limited');
    expect(second.headers.get('retry-after')).toBe('1');
    letGo();
    const ok = await first;
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-policy')).toMatch(/"free\/quota";q=3;w=\d+/);
    expect(ok.headers.get('ratelimit')).toMatch(/"free\/quota";r=2;t=\d+/);

    // The slot is back once the answer is over; the refused request used no quota.
    // (the slot is released when the answer closes: poll; a refused request counts nothing)
    await until(async () => (await get('/api/v1/things/x', key)).status === 200);
    expect((await get('/api/v1/things/x', key)).status).toBe(200);
    const over = await get('/api/v1/things/x', key);
    expect(over.status).toBe(429);
    const body = await json(over);
    expect(body.code).toBe('quota_exceeded');
    const now = new Date();
    const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    expect(Math.abs(Number(over.headers.get('retry-after')) - (monthEnd - Date.now()) / 1000)).toBeLessThan(
      5,
    );
    expect(body.detail).toContain(new Date(monthEnd).toISOString());
  });

  it("takes a token's plan from its claim and leaves anonymous callers alone", async () => {
    const token = await identity.sign({ sub: 'user-2', roles: ['user'], plan: 'pro' });
    const res = await get('/api/v1/things/x', { authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"pro/rate";q=100;w=10');
    expect(res.headers.get('ratelimit')).toBe('"pro/rate";r=99;t=1');
    const anonymous = await get('/api/v1/things/x');
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('ratelimit-policy')).toBeNull();
  });

  it('lists the plans on the operations of /openapi.json', () => {
    const plans = compilePlans({
      default: 'free',
      tiers: { free: { monthly_quota: 3 }, pro: { rate: { limit: 100, window: '10s' } } },
    });
    const list = planList(plans);
    expect(list.map((p) => [p.name, p.default])).toEqual([
      ['free', true],
      ['pro', false],
    ]);
    const route = { auth: 'required', kind: 'proxy' } as CompiledRoute;
    const op = withPlans({ responses: { 200: { description: 'ok' } } }, route, plans, list);
    expect(op['x-portico-plans']).toBe(list);
    expect(String((op.responses as any)['429'].description)).toContain('quota_exceeded');
  });
});
