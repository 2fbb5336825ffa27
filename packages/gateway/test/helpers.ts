/**
 * Real processes for gateway tests: node:http upstreams on ephemeral ports that verify the
 * passport they receive (the kit's own check), an identity stand-in that publishes a JWKS and
 * verifies API keys behind a passport, and a gateway built from a config object.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { REDIS_URL } from '@portico/kit/testing';
import { createGateway, type GatewayConfig, type GatewayHandle, type GatewayOptions } from '../src/index.ts';
import type { Caller } from '@portico/kit';
import { derivePassportKey, PASSPORT_HEADER, verifyPassport } from '@portico/kit/runtime';
import {
  API_KEY_VERIFY_PATH,
  JWKS_PATH,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  type ApiKeyVerifyResponse,
} from '@portico/contracts';

export const SECRET = 'test-root-secret-for-passports-0123456789';
export const quietLogger = pino({ level: process.env.PORTICO_TEST_LOG ?? 'silent' });

export interface TestServer {
  url: string;
  port: number;
  server: Server;
  hits: number;
  /** Requests other than health checks (which arrive on their own schedule). */
  apiHits: number;
  close(): Promise<void>;
}

export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  port = 0,
): Promise<TestServer> {
  const t: TestServer = {
    url: '',
    port: 0,
    hits: 0,
    apiHits: 0,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        t.hits++;
        if (!req.url?.startsWith('/health')) t.apiHits++;
        handler(req, res, Buffer.concat(chunks));
      });
    }),
    close: () =>
      new Promise<void>((resolve) => {
        t.server.close(() => resolve());
        t.server.closeAllConnections();
      }),
  };
  await new Promise<void>((resolve) => t.server.listen(port, '127.0.0.1', resolve));
  t.port = (t.server.address() as AddressInfo).port;
  t.url = `http://127.0.0.1:${t.port}`;
  return t;
}

export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  caller: Caller | null;
  passport: string;
  service: string;
}

/**
 * An upstream for `service` that answers what it received and who the passport says the
 * caller is. Without a valid passport it answers 401 as a kit service does.
 */
export function echoService(service: string, port = 0): Promise<TestServer> {
  const key = derivePassportKey(SECRET, service);
  return startServer((req, res, body) => {
    if (req.url?.startsWith('/health')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const v = verifyPassport(key, service, req.headers[PASSPORT_HEADER] as string | undefined);
    if (!v.ok) {
      res
        .writeHead(401, { 'content-type': 'application/problem+json' })
        .end(JSON.stringify({ code: 'invalid_passport', reason: v.reason }));
      return;
    }
    const echo: Echo = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: body.toString(),
      caller: v.caller,
      passport: String(req.headers[PASSPORT_HEADER]),
      service,
    };
    const status = req.method === 'POST' ? 201 : 200;
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-powered-by': 'Express',
      connection: 'keep-alive',
    });
    res.end(JSON.stringify(echo));
  }, port);
}

export interface Identity extends TestServer {
  sign(
    claims?: Record<string, unknown>,
    opts?: { kid?: string; expiresIn?: string | number; alg?: string },
  ): Promise<string>;
  /** Publishes a new key (kept alongside the old); returns its kid. */
  addKey(): Promise<string>;
  jwksDown: boolean;
  jwksFetches: number;
  apiKeys: Map<string, ApiKeyVerifyResponse>;
  verifyCalls: number;
  privateKeys: Map<string, CryptoKey>;
  publicJwks: JWK[];
}

export async function startIdentity(port = 0): Promise<Identity> {
  const passportKey = derivePassportKey(SECRET, 'identity');
  const privateKeys = new Map<string, CryptoKey>();
  const publicJwks: JWK[] = [];
  let counter = 0;
  const addKey = async (): Promise<string> => {
    const kid = `key-${++counter}`;
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateKeys.set(kid, privateKey);
    publicJwks.push({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' });
    return kid;
  };
  const apiKeys = new Map<string, ApiKeyVerifyResponse>();
  const server = await startServer((req, res, body) => {
    if (req.url === JWKS_PATH) {
      id.jwksFetches++;
      if (id.jwksDown) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: publicJwks }));
      return;
    }
    if (req.url === API_KEY_VERIFY_PATH && req.method === 'POST') {
      id.verifyCalls++;
      const v = verifyPassport(passportKey, 'identity', req.headers[PASSPORT_HEADER] as string | undefined);
      if (!v.ok || v.caller.auth !== 'service') {
        res.writeHead(401).end();
        return;
      }
      const { key } = JSON.parse(body.toString()) as { key: string };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(apiKeys.get(key) ?? { valid: false }));
      return;
    }
    if (req.url?.startsWith('/health')) {
      res.writeHead(200).end('{}');
      return;
    }
    res.writeHead(404).end();
  }, port);
  const firstKid = await addKey();
  const id: Identity = Object.assign(server, {
    jwksDown: false,
    jwksFetches: 0,
    verifyCalls: 0,
    apiKeys,
    privateKeys,
    publicJwks,
    addKey,
    async sign(
      claims: Record<string, unknown> = {},
      opts: { kid?: string; expiresIn?: string | number; alg?: string } = {},
    ) {
      const kid = opts.kid ?? firstKid;
      const jwt = new SignJWT({ sid: 'sess-1', roles: ['user'], ...claims })
        .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(String(claims.sub ?? 'user-1'))
        .setIssuedAt()
        .setJti(crypto.randomUUID())
        .setExpirationTime(opts.expiresIn ?? '5m');
      if (claims.iss) jwt.setIssuer(String(claims.iss));
      if (claims.aud) jwt.setAudience(claims.aud as string);
      return await jwt.sign(privateKeys.get(kid)!);
    },
  });
  return id;
}

/** A config with the given services (name → instance URLs) and routes. */
export function makeConfig(
  services: Record<string, string[]>,
  routes: GatewayConfig['routes'],
  extra: Partial<GatewayConfig> = {},
): GatewayConfig {
  return {
    version: 1,
    identity: { jwks_refresh_floor: '100ms', ...extra.identity },
    services: Object.fromEntries(
      Object.entries(services).map(([name, instances]) => [
        name,
        {
          health: { path: '/health/ready', interval: '200ms', timeout: '200ms' },
          ...extra.services?.[name],
          instances,
        },
      ]),
    ),
    routes,
    ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'services' && k !== 'identity')),
  } as GatewayConfig;
}

export interface RunningGateway {
  url: string;
  handle: GatewayHandle;
  close(): Promise<void>;
}

export async function startGateway(
  config: GatewayConfig,
  opts: Partial<GatewayOptions> = {},
): Promise<RunningGateway> {
  const handle = await createGateway({
    config,
    passportSecret: SECRET,
    logger: quietLogger,
    port: 0,
    host: '127.0.0.1',
    ...opts,
  });
  await handle.listen();
  return { url: handle.url, handle, close: () => handle.close() };
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true or `ms` pass. */
export async function until(fn: () => boolean | Promise<boolean>, ms = 5000, step = 25): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(step);
  }
  throw new Error('condition not met in time');
}

/** True once the gateway has taken `instance` of `service` out of rotation (breaker open or health check down). */
export async function ejected(gatewayUrl: string, service: string, instance: string): Promise<boolean> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  return (
    text.includes(`portico_gateway_breaker_state{service="${service}",instance="${instance}"} 2`) ||
    text.includes(`portico_gateway_instance_healthy{service="${service}",instance="${instance}"} 0`)
  );
}

/** Deletes the keys a test wrote to the shared Redis under `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
  } finally {
    r.disconnect();
  }
}
