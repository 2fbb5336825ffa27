/**
 * Helpers for testing services built on the kit: start one (or several) on the matrix's
 * storage and bus, and call them as a given caller with a real passport — the same check the
 * service applies in production, nothing stubbed.
 *
 * @example
 *   const env = await startTestServices([ordersService]);
 *   const alice = env.as('orders', user('alice'));
 *   const res = await alice.post('/api/v1/carts', {});
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Caller } from '../auth/caller.ts';
import { derivePassportKey, mintPassport, PASSPORT_HEADER } from '../auth/passport.ts';
import { permissionsForRoles } from '../auth/permissions.ts';
import { createLogger } from '../observability/logger.ts';
import { strictAjv } from '../http/app.ts';
import { startService, type RunningService } from '../runtime/start-service.ts';
import type { ServiceDefinition } from '../service.ts';
import type { EventBus } from '../events/bus.ts';
import type { DatabaseProvider } from '../db/database.ts';
import { openTestBus, openTestDatabase } from './matrix.ts';

export * from './matrix.ts';
export * from './servers.ts';
export * from './sse.ts';
export * from './receiver.ts';
export * from './openapi-validator.ts';

/** `client` sending `headers` on every call too (a call's own headers win). */
export function withHeaders(client: TestClient, headers: Record<string, string>): TestClient {
  const request: TestClient['request'] = (method, p, body, h = {}) =>
    client.request(method, p, body, { ...headers, ...h });
  return {
    request,
    get: (p, h) => request('GET', p, undefined, h),
    post: (p, b, h) => request('POST', p, b, h),
    put: (p, b, h) => request('PUT', p, b, h),
    patch: (p, b, h) => request('PATCH', p, b, h),
    delete: (p, h) => request('DELETE', p, undefined, h),
  };
}

/**
 * Whether `value` validates against `schema` (a JSON Schema, e.g. from an OpenAPI document),
 * with the same validator and formats as the kit's routes; the errors when it does not.
 */
export function validateAgainst(schema: object, value: unknown): { ok: boolean; errors: unknown[] } {
  const validate = strictAjv.compile(schema);
  const ok = validate(value);
  return { ok, errors: ok ? [] : [...(validate.errors ?? [])] };
}

/**
 * A caller with the given roles and the permissions those roles grant (the grants domains
 * registered: importing a service, or `@portico/contracts`, registers them).
 */
export function userCaller(id: string, roles: string[] = ['user']): Caller {
  return { id, roles, permissions: permissionsForRoles(roles), auth: 'jwt', sessionId: `sess-${id}` };
}

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestClient {
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<TestResponse<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<TestResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  delete<T = any>(path: string, headers?: Record<string, string>): Promise<TestResponse<T>>;
}

/** An HTTP client for `baseUrl` that sends `extraHeaders` (e.g. a passport) on every call. */
export function httpClient(
  baseUrl: string,
  extraHeaders: () => Record<string, string> = () => ({}),
): TestClient {
  const request = async <T>(
    method: string,
    p: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const h: Record<string, string> = { ...extraHeaders(), ...headers };
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
    const res = await fetch(baseUrl + p, {
      method,
      headers: h,
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return clientOf(request);
}

/** A TestClient whose every call goes through `request` (e.g. to check each answer). */
export function clientOf(request: TestClient['request']): TestClient {
  return {
    request,
    get: (p, h) => request('GET', p, undefined, h),
    post: (p, b, h) => request('POST', p, b, h),
    put: (p, b, h) => request('PUT', p, b, h),
    patch: (p, b, h) => request('PATCH', p, b, h),
    delete: (p, h) => request('DELETE', p, undefined, h),
  };
}

/**
 * `{ 'if-match': <ETag> }` from a fresh read of `path` (http/conditional.ts): what a client sends
 * to change a resource whose route requires If-Match. Throws when the read gives no ETag.
 */
export async function ifMatchOf(client: TestClient, path: string): Promise<Record<string, string>> {
  const res = await client.get(path);
  const etag = res.headers.get('etag');
  if (res.status !== 200 || !etag) throw new Error(`GET ${path} answered ${res.status} without an ETag`);
  return { 'if-match': etag };
}

export interface TestServices {
  services: Map<string, RunningService>;
  bus: EventBus;
  db: DatabaseProvider;
  secret: string;
  /** A client for one service that calls as `caller` with a valid passport. */
  as(service: string, caller: Caller | null): TestClient;
  /** Waits until `check` returns a truthy value (events are asynchronous). */
  eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  /** Stops a service as a crash would not: use `services.get(x).stop()` for graceful; this restarts it on the same storage. */
  restart(name: string): Promise<RunningService>;
  stop(): Promise<void>;
}

export async function startTestServices(
  defs: ServiceDefinition[],
  opts: { env?: Record<string, string | undefined>; logLevel?: string } = {},
): Promise<TestServices> {
  const testDb = await openTestDatabase();
  const testBus = await openTestBus();
  const secret = randomBytes(32).toString('hex');
  const logger = createLogger({ level: opts.logLevel ?? process.env.PORTICO_TEST_LOG ?? 'silent' });
  const services = new Map<string, RunningService>();
  const dataRoot = path.join(os.tmpdir(), `portico-test-${randomBytes(4).toString('hex')}`);
  const start = (def: ServiceDefinition) =>
    startService(def, {
      db: testDb.provider,
      bus: testBus.bus,
      passportSecret: secret,
      logger,
      env: { ...process.env, ...opts.env },
      urlOf: (name) => services.get(name)?.url,
      dataDir: path.join(dataRoot, def.name),
    });
  for (const def of defs) services.set(def.name, await start(def));
  const keys = new Map<string, KeyObject>();
  return {
    services,
    bus: testBus.bus,
    db: testDb.provider,
    secret,
    as(service, caller) {
      const svc = services.get(service);
      if (!svc) throw new Error(`service ${service} not started`);
      let key = keys.get(service);
      if (!key) keys.set(service, (key = derivePassportKey(secret, service)));
      const c: Caller = caller ?? { id: null, roles: [], permissions: [], auth: 'anonymous' };
      return httpClient(svc.url, () => ({ [PASSPORT_HEADER]: mintPassport(key, service, c).token }));
    },
    async eventually(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await check();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async restart(name) {
      const old = services.get(name);
      if (!old) throw new Error(`service ${name} not started`);
      await old.stop();
      const def = defs.find((d) => d.name === name)!;
      const fresh = await start(def);
      services.set(name, fresh);
      return fresh;
    },
    async stop() {
      for (const s of [...services.values()].reverse()) await s.stop();
      await testBus.cleanup();
      await testDb.cleanup();
    },
  };
}
