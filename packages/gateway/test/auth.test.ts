import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, importJWK } from 'jose';
import { MemoryBus } from '@portico/kit/runtime';
import { makeEvent, type EventEnvelope } from '@portico/kit';
import {
  echoService,
  json,
  makeConfig,
  sleep,
  startGateway,
  startIdentity,
  until,
  type Echo,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

let orders: TestServer;
let identity: Identity;
let gw: RunningGateway;
let bus: MemoryBus;
const denied: EventEnvelope[] = [];

beforeAll(async () => {
  orders = await echoService('orders');
  identity = await startIdentity();
  bus = new MemoryBus();
  await bus.subscribe({ consumer: 'audit-test', types: ['access.denied'], broadcast: true }, async (e) => {
    denied.push(e);
  });
  identity.apiKeys.set('pk_live_good', {
    valid: true,
    api_key_id: 'key-1',
    user_id: 'user-9',
    roles: ['user'],
    scopes: ['orders:read:own'],
    expires_at: null,
  });
  gw = await startGateway(
    makeConfig(
      { orders: [orders.url], identity: [identity.url] },
      [
        { path: '/api/v1/orders', methods: ['GET', 'POST'], service: 'orders' },
        { path: '/api/v1/public', methods: ['GET'], service: 'orders', auth: 'optional' },
        { path: '/api/v1/warehouses', methods: ['GET'], service: 'orders', permission: 'warehouses:read' },
        {
          path: '/api/v1/orders/{id}/cancel',
          methods: ['POST'],
          service: 'orders',
          permission: 'orders:cancel',
        },
      ],
      { identity: { api_key_cache_ttl: '30s', jwks_refresh_floor: '100ms' } },
    ),
    { bus },
  );
});

afterAll(async () => {
  await gw.close();
  await bus.close();
  await orders.close();
  await identity.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gw.url}${path}`, { headers });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

async function expectInvalid(token: string): Promise<void> {
  const res = await get('/api/v1/orders', bearer(token));
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="portico", error="invalid_token"/);
  expect((await json(res)).code).toBe('invalid_token');
}

describe('JWT authentication', () => {
  it('lets a valid token reach the service with a passport carrying the caller', async () => {
    const token = await identity.sign({ sub: 'user-1', roles: ['user'], sid: 'sess-a' });
    const res = await get('/api/v1/orders', bearer(token));
    expect(res.status).toBe(200);
    const echo = await json<Echo>(res);
    expect(echo.caller).toMatchObject({ id: 'user-1', roles: ['user'], auth: 'jwt', sessionId: 'sess-a' });
    expect(echo.caller!.permissions).toContain('orders:*:own');
  });

  it('reuses the passport for the same caller and service', async () => {
    const token = await identity.sign({ sub: 'user-2' });
    const a = await json<Echo>(await get('/api/v1/orders', bearer(token)));
    const b = await json<Echo>(await get('/api/v1/orders', bearer(token)));
    expect(a.passport).toBe(b.passport);
  });

  it('answers 401 with WWW-Authenticate: Bearer when no credential is given', async () => {
    const res = await get('/api/v1/orders');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="portico"');
    expect((await json(res)).code).toBe('unauthenticated');
  });

  it('refuses an expired token', async () => {
    await expectInvalid(await identity.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }));
  });

  it('refuses a token signed by another key with the same kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ sid: 's', roles: ['admin'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setIssuer('portico-identity')
      .setAudience('portico')
      .setSubject('attacker')
      .setExpirationTime('5m')
      .sign(privateKey);
    await expectInvalid(forged);
  });

  it('refuses a token with the wrong audience or issuer', async () => {
    await expectInvalid(await identity.sign({ aud: 'someone-else' }));
    await expectInvalid(await identity.sign({ iss: 'https://evil.example' }));
  });

  it('refuses alg none', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 300;
    await expectInvalid(
      `${b64({ alg: 'none', kid: 'key-1' })}.${b64({ sub: 'x', iss: 'portico-identity', aud: 'portico', exp })}.`,
    );
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 300;
    const input = `${b64({ alg: 'HS256', kid: 'key-1' })}.${b64({ sub: 'x', roles: ['admin'], iss: 'portico-identity', aud: 'portico', exp })}`;
    const pub = JSON.stringify(identity.publicJwks[0]);
    const sig = createHmac('sha256', pub).update(input).digest('base64url');
    await expectInvalid(`${input}.${sig}`);
  });

  it('refuses a tampered signature or payload', async () => {
    const token = await identity.sign({ sub: 'user-3' });
    const [h, p, s] = token.split('.');
    const flipped = s!.slice(0, -2) + (s!.endsWith('AA') ? 'BB' : 'AA');
    await expectInvalid(`${h}.${p}.${flipped}`);
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.roles = ['admin'];
    await expectInvalid(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`);
  });

  it('refuses a token that is not a JWT at all', async () => {
    await expectInvalid('access_token_1_x');
  });

  it('verifies a token from a newly published key without restart', async () => {
    const kid = await identity.addKey();
    await sleep(150); // past the refetch floor
    const token = await identity.sign({ sub: 'user-new' }, { kid });
    const res = await get('/api/v1/orders', bearer(token));
    expect(res.status).toBe(200);
    expect((await json<Echo>(res)).caller!.id).toBe('user-new');
  });

  it('keeps verifying with cached keys while the JWKS is unreachable', async () => {
    identity.jwksDown = true;
    try {
      const fresh = await identity.sign({ sub: 'user-while-down' });
      const res = await get('/api/v1/orders', bearer(fresh));
      expect(res.status).toBe(200);
    } finally {
      identity.jwksDown = false;
    }
  });

  it('accepts EdDSA tokens from the JWKS too', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'ed-1', alg: 'EdDSA', use: 'sig' };
    identity.publicJwks.push(jwk);
    await sleep(150);
    const token = await new SignJWT({ sid: 's-ed', roles: ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'ed-1' })
      .setIssuer('portico-identity')
      .setAudience('portico')
      .setSubject('ed-user')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await get('/api/v1/orders', bearer(token))).status).toBe(200);
    void importJWK;
  });
});

describe('identity headers and passports', () => {
  it('strips client-supplied identity headers and passports before the service', async () => {
    const token = await identity.sign({ sub: 'user-4' });
    const echo = await json<Echo>(
      await get('/api/v1/orders', {
        ...bearer(token),
        'x-user-id': 'admin',
        'request-user-id': 'admin',
        'x-user-roles': 'admin',
        'x-portico-passport': 'p1.forged.sig',
        'x-consumer-username': 'admin',
      }),
    );
    expect(echo.headers['x-user-id']).toBeUndefined();
    expect(echo.headers['request-user-id']).toBeUndefined();
    expect(echo.headers['x-user-roles']).toBeUndefined();
    expect(echo.headers['x-consumer-username']).toBeUndefined();
    expect(echo.passport).not.toBe('p1.forged.sig');
    expect(echo.caller!.id).toBe('user-4');
  });

  it('lets the service refuse a direct call with forged identity headers and no passport', async () => {
    const res = await fetch(`${orders.url}/api/v1/orders`, {
      headers: { 'x-user-id': 'admin', 'request-user-id': 'admin' },
    });
    expect(res.status).toBe(401);
  });

  it('sends an anonymous passport on optional routes without credentials', async () => {
    const echo = await json<Echo>(await get('/api/v1/public'));
    expect(echo.caller).toMatchObject({ id: null, auth: 'anonymous' });
  });
});

describe('authorization', () => {
  it('answers 403 when the role lacks the route permission and reports access.denied', async () => {
    const token = await identity.sign({ sub: 'user-5', roles: ['user'] });
    const res = await get('/api/v1/warehouses', bearer(token));
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('forbidden');
    await until(() => denied.some((e) => (e.data as { actor_id: string }).actor_id === 'user-5'));
    const event = denied.find((e) => (e.data as { actor_id: string }).actor_id === 'user-5')!;
    expect(event.data).toMatchObject({
      status: 403,
      path: '/api/v1/warehouses',
      source: 'gateway',
      reason: 'missing_permission:warehouses:read',
    });
  });

  it('lets a role with the permission through', async () => {
    const token = await identity.sign({ sub: 'staff-1', roles: ['staff'] });
    expect((await get('/api/v1/warehouses', bearer(token))).status).toBe(200);
  });

  it('accepts an :own grant for the route permission (the service enforces ownership)', async () => {
    const token = await identity.sign({ sub: 'user-6', roles: ['user'] });
    const res = await fetch(`${gw.url}/api/v1/orders/1/cancel`, { method: 'POST', headers: bearer(token) });
    expect(res.status).toBe(201);
  });

  it('answers 401, not 403, to an anonymous caller on a route with a permission', async () => {
    const res = await get('/api/v1/warehouses');
    expect(res.status).toBe(401);
  });
});

describe('API keys', () => {
  it('accepts a valid key as a bearer credential or in X-API-Key, verified once and cached', async () => {
    const before = identity.verifyCalls;
    const a = await json<Echo>(await get('/api/v1/orders', bearer('pk_live_good')));
    const b = await json<Echo>(await get('/api/v1/orders', { 'x-api-key': 'pk_live_good' }));
    expect(a.caller).toMatchObject({
      id: 'user-9',
      auth: 'api_key',
      apiKeyId: 'key-1',
      permissions: ['orders:read:own'],
    });
    expect(b.caller!.apiKeyId).toBe('key-1');
    expect(identity.verifyCalls - before).toBe(1);
    expect(a.headers['x-api-key']).toBeUndefined();
    expect(a.headers.authorization).toBeUndefined();
  });

  it('refuses an unknown key with 401 invalid_token', async () => {
    const res = await get('/api/v1/orders', { 'x-api-key': 'pk_live_unknown' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('authorizes against the key scopes, not the owner roles', async () => {
    const res = await get('/api/v1/warehouses', { 'x-api-key': 'pk_live_good' });
    expect(res.status).toBe(403);
  });

  it('refuses a key on a route its scopes do not cover (every route needs a scope)', async () => {
    identity.apiKeys.set('pk_live_noscope', {
      valid: true,
      api_key_id: 'key-3',
      user_id: 'user-12',
      roles: ['user'],
      scopes: ['products:read'],
      expires_at: null,
    });
    const res = await get('/api/v1/orders', { 'x-api-key': 'pk_live_noscope' });
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('stops accepting a key within seconds of its api_key.revoked event', async () => {
    identity.apiKeys.set('pk_live_revoked', {
      valid: true,
      api_key_id: 'key-2',
      user_id: 'user-10',
      roles: ['user'],
      scopes: ['orders:read'],
      expires_at: null,
    });
    expect((await get('/api/v1/orders', { 'x-api-key': 'pk_live_revoked' })).status).toBe(200);
    await bus.publish(makeEvent('identity', 'api_key.revoked', { api_key_id: 'key-2', user_id: 'user-10' }));
    await until(
      async () => (await get('/api/v1/orders', { 'x-api-key': 'pk_live_revoked' })).status === 401,
      3000,
    );
  });
});

describe('revocation', () => {
  it('refuses the tokens of a revoked session from the session.revoked event on', async () => {
    const token = await identity.sign({ sub: 'user-11', sid: 'sess-logout' });
    expect((await get('/api/v1/orders', bearer(token))).status).toBe(200);
    await bus.publish(
      makeEvent('identity', 'session.revoked', {
        user_id: 'user-11',
        session_ids: ['sess-logout'],
        reason: 'logout',
        expires_at: new Date(Date.now() + 600_000).toISOString(),
      }),
    );
    await until(async () => (await get('/api/v1/orders', bearer(token))).status === 401, 3000);
    const other = await identity.sign({ sub: 'user-11', sid: 'sess-other' });
    expect((await get('/api/v1/orders', bearer(other))).status).toBe(200);
  });

  it('refuses every token of a disabled user', async () => {
    const token = await identity.sign({ sub: 'user-12', sid: 'sess-x' });
    expect((await get('/api/v1/orders', bearer(token))).status).toBe(200);
    await bus.publish(
      makeEvent('identity', 'user.disabled', {
        user_id: 'user-12',
        expires_at: new Date(Date.now() + 600_000).toISOString(),
      }),
    );
    await until(async () => (await get('/api/v1/orders', bearer(token))).status === 401, 3000);
  });
});
