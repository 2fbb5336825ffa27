/**
 * The system-test harness: a real gateway in front of real services, in either mode.
 *   PORTICO_SYSTEM_MODE=embedded (default): one process, PGlite in memory, the in-process bus.
 *   PORTICO_SYSTEM_MODE=distributed: one OS process per part (`portico start <name>`), each
 *   service on its own PostgreSQL database, NATS JetStream and Redis — as in production.
 * Tests talk only to the gateway, as a client would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createLogger } from '@portico/kit/runtime';
import {
  httpClient,
  NATS_URL,
  POSTGRES_URL,
  REDIS_URL,
  serverUnavailable,
  uniqueName,
  type TestClient,
} from '@portico/kit/testing';
import { repoRoot, startEmbedded, type Platform } from '@portico/cli';

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
  /** As admin, sets the user's roles; returns a fresh session carrying them. */
  grantRoles(user: Session, roles: string[]): Promise<Session>;
  /** Polls until `check` returns a truthy value. */
  eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  /** Distributed mode only: kills a part's process (SIGKILL unless told) and starts it again. */
  crashAndRestart(part: string, between?: () => Promise<void>, signal?: NodeJS.Signals): Promise<void>;
  /** Distributed mode only: where a part listens, and whether its process is still running. */
  part(name: string): { url: string; running: boolean; output: string };
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

export interface Servers {
  postgres: string;
  nats: string;
  redis: string;
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
  const anonymous = httpClient(url);
  const withToken = (token: string) => httpClient(url, () => ({ authorization: `Bearer ${token}` }));
  const passwords = new Map<string, string>();

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
    async grantRoles(user, roles) {
      const admin = await login(adminEmail, adminPassword);
      const res = await admin.client.put(`/api/v1/users/${user.id}/roles`, { roles });
      if (res.status !== 200)
        throw new Error(`grant roles failed: ${res.status} ${JSON.stringify(res.body)}`);
      return login(user.email, user.password);
    },
    crashAndRestart: (part, between, signal) => running.crashAndRestart(part, between, signal),
    part: (name) => running.part(name),
    stop: () => running.stop(),
  };
}

interface RunningSystem {
  url: string;
  crashAndRestart(part: string, between?: () => Promise<void>, signal?: NodeJS.Signals): Promise<void>;
  part(name: string): { url: string; running: boolean; output: string };
  stop(): Promise<void>;
}

async function startEmbeddedSystem(services: string[], env: Record<string, string>): Promise<RunningSystem> {
  const dataDir = path.join(os.tmpdir(), uniqueName('portico-system'));
  const platform: Platform = await startEmbedded({
    dataDir,
    inMemory: true,
    port: 0,
    servicePorts: 'ephemeral',
    only: services,
    env: { ...process.env, ...env },
    logger: createLogger({ level: process.env.PORTICO_TEST_LOG ?? 'silent' }),
    ...(env.PORTICO_CONFIG && { configPath: env.PORTICO_CONFIG }),
  });
  return {
    url: platform.gatewayUrl,
    crashAndRestart: async () => {
      throw new Error('crashAndRestart needs PORTICO_SYSTEM_MODE=distributed');
    },
    part: () => {
      throw new Error('part() needs PORTICO_SYSTEM_MODE=distributed');
    },
    stop: () => platform.stop(),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(
  url: string,
  proc: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null)
      throw new Error(`process exited (${proc.exitCode}) before ready:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready at ${url} within ${timeoutMs} ms:\n${output()}`);
}

async function startDistributedSystem(
  services: string[],
  baseEnv: Record<string, string>,
  partEnv: Record<string, Record<string, string>>,
  servers: Servers = { postgres: POSTGRES_URL, nats: NATS_URL, redis: REDIS_URL },
): Promise<RunningSystem> {
  const prefix = uniqueName('portico_sys');
  const secret = randomBytes(32).toString('base64url');
  const stream = prefix.toUpperCase();
  const ports = new Map<string, number>();
  for (const name of [...services, 'gateway']) ports.set(name, await freePort());
  const upstreams: Record<string, string> = {};
  for (const name of services)
    upstreams[`PORTICO_UPSTREAM_${name.toUpperCase().replaceAll('-', '_')}`] =
      `http://127.0.0.1:${ports.get(name)}`;
  const common = {
    ...process.env,
    ...baseEnv,
    ...upstreams,
    PORTICO_PASSPORT_SECRET: secret,
    NATS_URL: servers.nats,
    PORTICO_NATS_STREAM: stream,
    PORTICO_NATS_PREFIX: prefix,
    REDIS_URL: servers.redis,
    PORTICO_REDIS_PREFIX: `${prefix}:`,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.PORTICO_TEST_LOG ?? 'warn',
  } as Record<string, string>;
  const procs = new Map<string, { proc: ChildProcess; out: string[] }>();
  const databases: string[] = [];
  const spawnPart = (name: string, restarted = false) => {
    const env: Record<string, string> = {
      ...common,
      PORT: String(ports.get(name)),
      PORTICO_DATA_DIR: path.join(os.tmpdir(), prefix),
      ...(restarted ? {} : partEnv[name]),
    };
    if (name !== 'gateway') {
      const db = `${prefix}_${name.replaceAll('-', '_')}`;
      if (!databases.includes(db)) databases.push(db);
      const u = new URL(servers.postgres);
      u.pathname = `/${db}`;
      env.DATABASE_URL = u.toString();
    }
    const proc = spawn(process.execPath, [path.join(repoRoot, 'packages/cli/src/main.ts'), 'start', name], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    const keep = (d: Buffer) => {
      out.push(d.toString());
      if (out.length > 200) out.shift();
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    procs.set(name, { proc, out });
    return { proc, output: () => out.join('') };
  };
  const stop = async () => {
    await Promise.all(
      [...procs.values()].map(
        ({ proc }) =>
          new Promise<void>((resolve) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
            const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
            proc.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            proc.kill('SIGTERM');
          }),
      ),
    );
    const admin = new pg.Client({ connectionString: servers.postgres });
    await admin.connect();
    try {
      for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    const { NatsBus } = await import('@portico/kit/runtime');
    const bus = await NatsBus.connect({ url: servers.nats, stream, prefix });
    await bus.destroyStream();
    await bus.close();
  };
  try {
    // Services first (in parallel), then the gateway.
    await Promise.all(
      services.map(async (name) => {
        const { proc, output } = spawnPart(name);
        await waitReady(`http://127.0.0.1:${ports.get(name)}/health/ready`, proc, output);
      }),
    );
    const { proc, output } = spawnPart('gateway');
    await waitReady(`http://127.0.0.1:${ports.get('gateway')}/health/live`, proc, output);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return {
    url: `http://127.0.0.1:${ports.get('gateway')}`,
    async crashAndRestart(part, between, signal = 'SIGKILL') {
      const p = procs.get(part);
      if (!p) throw new Error(`no part ${part}`);
      await new Promise<void>((resolve) => {
        p.proc.once('exit', () => resolve());
        p.proc.kill(signal);
      });
      await between?.();
      const { proc, output } = spawnPart(part, true);
      await waitReady(
        `http://127.0.0.1:${ports.get(part)}/health/${part === 'gateway' ? 'live' : 'ready'}`,
        proc,
        output,
      );
    },
    part(name) {
      const p = procs.get(name);
      if (!p) throw new Error(`no part ${name}`);
      return {
        url: `http://127.0.0.1:${ports.get(name)}`,
        running: p.proc.exitCode === null && p.proc.signalCode === null,
        output: p.out.join(''),
      };
    },
    stop,
  };
}
