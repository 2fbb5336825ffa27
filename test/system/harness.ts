/**
 * The system-test harness: a real gateway in front of real services, in either mode.
 *   PORTICO_SYSTEM_MODE=embedded (default): one process, PGlite in memory, the in-process bus.
 *   PORTICO_SYSTEM_MODE=distributed: one OS process per part (`portico start <name>`), each
 *   service on its own PostgreSQL database, NATS JetStream and Redis — as in production.
 * Tests talk only to the gateway, as a client would.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { httpClient, serverUnavailable, uniqueName, type TestClient } from '@portico/kit/testing';
import { repoRoot } from '@portico/cli';
import { startDistributedSystem, startEmbeddedSystem, type Servers } from './processes.ts';
import { ContractRecorder } from './contract.ts';

export type { Servers } from './processes.ts';

export type SystemMode = 'embedded' | 'distributed';
export const systemMode: SystemMode =
  process.env.PORTICO_SYSTEM_MODE === 'distributed' ? 'distributed' : 'embedded';

/** null when the chosen mode can run here, else why not (CI: throws instead). */
export async function systemUnavailable(): Promise<string | null> {
  if (systemMode === 'embedded') return null;
  for (const kind of ['postgres', 'nats', 'redis'] as const) {
    const r = await serverUnavailable(kind);
    if (r) return r;
  }
  return null;
}

export interface Session {
  id: string;
  email: string;
  password: string;
  access_token: string;
  refresh_token: string;
  /** A client for the gateway sending `Authorization: Bearer <access_token>`. */
  client: TestClient;
}

export interface System {
  mode: SystemMode;
  url: string;
  anonymous: TestClient;
  /** A client with a given bearer token. */
  withToken(token: string): TestClient;
  signUp(overrides?: { email?: string; password?: string; full_name?: string }): Promise<Session>;
  login(email: string, password: string): Promise<Session>;
  admin(): Promise<Session>;
  /** The bootstrap admin's email and password (for tests of the sign-in itself). */
  adminCredentials: { email: string; password: string };
  /** As admin, sets the user's roles; returns a fresh session carrying them. */
  grantRoles(user: Session, roles: string[]): Promise<Session>;
  /** Polls until `check` returns a truthy value. */
  eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  /** Distributed mode only: kills a part's process (SIGKILL unless told) and starts it again. */
  crashAndRestart(part: string, between?: () => Promise<void>, signal?: NodeJS.Signals): Promise<void>;
  /** Distributed mode only: where a part listens, and whether its process is still running. */
  part(name: string): { url: string; running: boolean; output: string };
  /** Where a service listens itself, both modes (e.g. to read its /metrics). */
  serviceUrl(service: string): string;
  /** Runs one SQL statement in a service's own database, as that service: a fault a test injects. */
  serviceSql(service: string, statement: string): Promise<void>;
  /** Distributed mode only: starts a second gateway replica (same config, Redis, NATS); its URL. */
  addGateway(): Promise<string>;
  stop(): Promise<void>;
}

/** Every service of the platform, in the order `portico dev` starts them. */
export const ALL_SERVICES = [
  'identity',
  'notifications',
  'orders',
  'shipping',
  'tasks',
  'students',
  'curriculum',
  'staff',
  'finance',
];

export interface SystemOptions {
  services: string[];
  env?: Record<string, string>;
  /** Keep the shipped rate limits (default: raised 1000×, so tests may sign up many users). */
  realLimits?: boolean;
  /** Distributed mode: extra environment for one part's process (e.g. its NATS_URL). */
  partEnv?: Record<string, Record<string, string>>;
  /** Distributed mode: servers other than the shared ones (fault tests run private ones). */
  servers?: Servers;
  /** Edits the gateway configuration (the parsed portico.yaml) before the system starts. */
  configure?: (doc: Record<string, any>) => void;
}

/**
 * The shipped portico.yaml, with its rate limits raised unless `realLimits`: the same routes,
 * policies and services as users run, written to a temporary file.
 */
async function testConfig(
  realLimits: boolean,
  configure?: (doc: Record<string, any>) => void,
): Promise<string> {
  const shipped = path.join(repoRoot, 'portico.yaml');
  if (realLimits && !configure && systemMode === 'embedded') return shipped;
  const doc = parseYaml(await readFile(shipped, 'utf8')) as {
    policies?: { rate_limits?: Record<string, { limit: number }> };
    store?: Record<string, unknown>;
  };
  if (!realLimits) for (const policy of Object.values(doc.policies?.rate_limits ?? {})) policy.limit *= 1000;
  if (!realLimits) raisePlans(doc as { plans?: { tiers?: Record<string, Record<string, any>> } });
  // Each distributed run counts its rate limits and idempotency keys apart in the shared Redis.
  if (systemMode === 'distributed') doc.store = { ...doc.store, prefix: `${uniqueName('portico_gw')}:` };
  configure?.(doc);
  const file = path.join(os.tmpdir(), `${uniqueName('portico-test')}.yaml`);
  await writeFile(file, stringifyYaml(doc));
  return file;
}

let counter = 0;

export async function startSystem(opts: SystemOptions): Promise<System> {
  const services = [...new Set(['identity', ...opts.services])];
  const adminEmail = 'admin@portico.test';
  const adminPassword = `Adm1n-${randomBytes(12).toString('base64url')}`;
  const env: Record<string, string> = {
    PORTICO_ADMIN_EMAIL: adminEmail,
    PORTICO_ADMIN_PASSWORD: adminPassword,
    PORTICO_WEBHOOK_ALLOW_PRIVATE: 'true',
    PORTICO_CONFIG: await testConfig(opts.realLimits ?? false, opts.configure),
    ...opts.env,
  };
  const running =
    systemMode === 'embedded'
      ? await startEmbeddedSystem(services, env)
      : await startDistributedSystem(services, env, opts.partEnv ?? {}, opts.servers);
  const url = running.url;
  // Every answer is checked against the gateway's /openapi.json; stop() fails on any departure.
  const contract = new ContractRecorder(url);
  const anonymous = contract.wrap(httpClient(url));
  const withToken = (token: string) =>
    contract.wrap(httpClient(url, () => ({ authorization: `Bearer ${token}` })));
  const passwords = new Map<string, string>();
  let adminForGrants: Promise<Session> | undefined;

  const login = async (email: string, password: string): Promise<Session> => {
    const res = await anonymous.post('/api/v1/auth/login', { email, password });
    if (res.status !== 200)
      throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    const b = res.body as { access_token: string; refresh_token: string; user: { id: string } };
    return {
      id: b.user.id,
      email,
      password,
      access_token: b.access_token,
      refresh_token: b.refresh_token,
      client: withToken(b.access_token),
    };
  };

  const eventually = async <T>(
    check: () => Promise<T | undefined | null | false>,
    timeoutMs = 15_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await check();
        if (v) return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline)
        throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  return {
    mode: systemMode,
    url,
    anonymous,
    withToken,
    login,
    eventually,
    async signUp(o = {}) {
      const n = `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
      const email = o.email ?? `user-${n}@example.test`;
      const password = o.password ?? `Pw-${randomBytes(12).toString('base64url')}`;
      const res = await anonymous.post('/api/v1/auth/register', {
        email,
        password,
        full_name: o.full_name ?? `User ${n}`,
      });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      passwords.set(email, password);
      return login(email, password);
    },
    admin: () => login(adminEmail, adminPassword),
    adminCredentials: { email: adminEmail, password: adminPassword },
    async grantRoles(user, roles) {
      // One admin session for every grant: many parallel sign-ins of one account would (rightly)
      // meet identity's sign-in throttle. A revoked or expired one is replaced once.
      const put = async () =>
        (
          await (adminForGrants ??= login(adminEmail, adminPassword).catch((err: unknown) => {
            adminForGrants = undefined;
            throw err;
          }))
        ).client.put(`/api/v1/users/${user.id}/roles`, { roles });
      let res = await put();
      if (res.status === 401) {
        adminForGrants = undefined;
        res = await put();
      }
      if (res.status !== 200)
        throw new Error(`grant roles failed: ${res.status} ${JSON.stringify(res.body)}`);
      return login(user.email, user.password);
    },
    crashAndRestart: (part, between, signal) => running.crashAndRestart(part, between, signal),
    part: (name) => running.part(name),
    serviceUrl: (service) => running.serviceUrl(service),
    serviceSql: (service, statement) => running.serviceSql(service, statement),
    addGateway: () => running.addGateway(),
    async stop() {
      await running.stop();
      contract.assertClean();
    },
  };
}

/** The shipped plans raised 1000× like the rate limits (test/system/plans.test.ts sets its own). */
function raisePlans(doc: { plans?: { tiers?: Record<string, Record<string, any>> } }): void {
  for (const plan of Object.values(doc.plans?.tiers ?? {})) {
    if (plan.rate) plan.rate.limit *= 1000;
    if (plan.monthly_quota) plan.monthly_quota *= 1000;
    if (plan.concurrency) plan.concurrency *= 1000;
  }
}
