/** The config's defaults come from its schema, and layered settings still inherit. */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type GatewayConfig } from '../src/config/schema.ts';
import { compile } from '../src/config/compile.ts';
import { InstanceRegistry } from '../src/upstream/service.ts';
import { GatewayMetrics } from '../src/observe/metrics.ts';

const config: GatewayConfig = {
  version: 1,
  defaults: { timeouts: { connect: '1s' } },
  services: {
    orders: { instances: ['http://127.0.0.1:1'], health: false, timeouts: { total: '5s' } },
    identity: { instances: ['http://127.0.0.1:2'], retry: { budget: 0.5 } },
  },
  routes: [
    { path: '/a', service: 'orders', retry: { retries: 1 } },
    { path: '/b', service: 'orders', auth: 'none', retry: false, timeouts: { idle: '1s' } },
  ],
};

describe('configuration defaults', () => {
  it('fills the schema defaults into a copy, keeping what the file says', () => {
    const before = structuredClone(config);
    const r = resolveConfig(config);
    expect(config).toEqual(before);
    expect(r.identity).toMatchObject({ service: 'identity', clock_skew: '5s', api_key_header: 'x-api-key' });
    expect(r.idempotency).toEqual({ ttl: '24h', lock_ttl: '60s', max_body: '1mb' });
    expect(r.services.orders!.health).toBe(false);
    expect(r.services.identity!.health).toMatchObject({ path: '/health/ready', interval: '5s' });
    expect(r.services.identity!.retry).toEqual({ budget: 0.5, min_per_second: 5 });
    expect(r.defaults.timeouts).toEqual({ connect: '1s', first_byte: '15s', total: '30s', idle: '60s' });
    // Layered settings have no default of their own on a route: they inherit.
    expect(r.routes[0]!.timeouts).toBeUndefined();
    expect(r.routes[0]!.auth).toBeUndefined();
  });

  it('layers timeouts and retries from defaults to service to route', async () => {
    const registry = new InstanceRegistry();
    const rt = compile(config, registry, new GatewayMetrics());
    try {
      const [a, b] = rt.routes;
      expect(a!.timeouts).toEqual({ connectMs: 1000, firstByteMs: 15_000, totalMs: 5000, idleMs: 60_000 });
      expect(b!.timeouts).toEqual({ connectMs: 1000, firstByteMs: 15_000, totalMs: 5000, idleMs: 1000 });
      expect(a!.retry).toEqual({ retries: 1, backoffMs: 25, maxBackoffMs: 250 });
      expect(b!.retry).toBeNull();
      expect(a!.auth).toBe('required');
      expect(b!.auth).toBe('none');
      expect(a!.bodyLimit).toBe(1024 * 1024);
      expect(rt.services.get('identity')!.settings).toMatchObject({
        budgetRatio: 0.5,
        budgetMinPerSecond: 5,
      });
      expect(rt.services.get('orders')!.settings.health).toBeNull();
    } finally {
      await registry.closeAll();
    }
  });
});
