/** API-key scopes: which resources a route needs, what a key's scopes cover, and the config. */
import { describe, expect, it } from 'vitest';
import { keyScopeRefusal, keyScopeResources } from '../src/auth/key-scopes.ts';
import { validateGatewayConfig } from '../src/index.ts';
import { derivePassportKey, mintPassport, verifyPassport } from '@portico/kit/runtime';

describe('API-key scopes', () => {
  it('derives a route’s resource from its path, or takes the declared one', () => {
    expect(keyScopeResources({ prefix: '/api/v1/orders', service: 'o' })).toEqual(['orders']);
    expect(keyScopeResources({ path: '/api/v2/students/{id}/account', service: 's' })).toEqual(['students']);
    expect(keyScopeResources({ path: '/x', service: 's', api_key_scope: 'finance' })).toEqual(['finance']);
    expect(keyScopeResources({ path: '/x', service: 's', api_key_scope: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(keyScopeResources({ path: '/api/v1/auth/password', service: 'i', api_key_scope: false })).toEqual(
      [],
    );
    expect(keyScopeResources({ prefix: '/', service: 'u' })).toEqual([]);
  });

  it('lets any scope on the resource read, and only a non-read one write', () => {
    const orders = ['orders'];
    expect(keyScopeRefusal(orders, 'GET', ['orders:read:own'])).toBeNull();
    expect(keyScopeRefusal(orders, 'HEAD', ['orders:cancel'])).toBeNull();
    expect(keyScopeRefusal(orders, 'POST', ['orders:create'])).toBeNull();
    expect(keyScopeRefusal(orders, 'POST', ['orders:*:own'])).toBeNull();
    expect(keyScopeRefusal(orders, 'DELETE', ['*'])).toBeNull();
    expect(keyScopeRefusal(orders, 'POST', ['orders:read'])).toMatch(/needs orders:<write action>/);
    expect(keyScopeRefusal(orders, 'GET', ['products:read', 'orders-x:read'])).toMatch(/needs orders:<any>/);
    expect(keyScopeRefusal(orders, 'GET', [])).not.toBeNull();
    expect(keyScopeRefusal([], 'GET', ['*'])).toMatch(/cannot be used on this route/);
  });

  it('validates api_key_scope in portico.yaml', () => {
    const base = {
      version: 1,
      services: { a: { instances: ['http://127.0.0.1:1'] }, identity: { instances: ['http://127.0.0.1:2'] } },
    };
    for (const ok of [false, 'orders', ['orders', 'stock']])
      expect(
        validateGatewayConfig({ ...base, routes: [{ path: '/x', service: 'a', api_key_scope: ok }] }).ok,
      ).toBe(true);
    for (const bad of [true, 'Orders:read', [], 3]) {
      const r = validateGatewayConfig({
        ...base,
        routes: [{ path: '/x', service: 'a', api_key_scope: bad }],
      });
      expect(r.ok, JSON.stringify(bad)).toBe(false);
      expect(r.ok ? [] : r.errors.map((e) => e.path)).toContain('routes[0].api_key_scope');
    }
  });
});

describe('the client address in the passport', () => {
  const key = derivePassportKey('root-secret', 'identity');
  const caller = { id: 'u1', roles: ['user'], permissions: [], auth: 'jwt' as const };

  it('travels signed: the service reads what the gateway decided', () => {
    const { token } = mintPassport(key, 'identity', { ...caller, clientIp: '203.0.113.9' });
    const v = verifyPassport(key, 'identity', token);
    expect(v.ok && v.caller.clientIp).toBe('203.0.113.9');
    const none = verifyPassport(key, 'identity', mintPassport(key, 'identity', caller).token);
    expect(none.ok && none.caller.clientIp).toBeUndefined();
  });

  it('cannot be changed without the key', () => {
    const { token } = mintPassport(key, 'identity', { ...caller, clientIp: '203.0.113.9' });
    const [prefix, payload, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, ip: '198.51.100.1' })).toString('base64url');
    expect(verifyPassport(key, 'identity', `${prefix}.${forged}.${sig}`)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});
