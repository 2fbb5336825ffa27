/**
 * How the system tests start the platform's parts: in this process (embedded: PGlite in memory
 * and the in-process bus) or one OS process per part (distributed: `portico start <name>`, each
 * service on its own PostgreSQL database, NATS JetStream and Redis). `harness.ts` builds the
 * test-facing `System` on top of these.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { createLogger } from '@portico/kit/runtime';
import { NATS_URL, POSTGRES_URL, REDIS_URL, uniqueName } from '@portico/kit/testing';
import { repoRoot, startEmbedded, type Platform } from '@portico/cli';

/** The PostgreSQL, NATS and Redis a distributed system uses. */
export interface Servers {
  postgres: string;
  nats: string;
  redis: string;
}

/** A started platform: its gateway URL, and (distributed mode) control over its processes. */
export interface RunningSystem {
  url: string;
  crashAndRestart(part: string, between?: () => Promise<void>, signal?: NodeJS.Signals): Promise<void>;
  part(name: string): { url: string; running: boolean; output: string };
  /** Where a service listens itself (its /metrics, both modes). */
  serviceUrl(service: string): string;
  /** Runs one SQL statement in a service's own database, as that service (fault injection). */
  serviceSql(service: string, statement: string): Promise<void>;
  /** Distributed mode: starts one more gateway process (same config and Redis); its URL. */
  addGateway(): Promise<string>;
  stop(): Promise<void>;
}

export async function startEmbeddedSystem(
  services: string[],
  env: Record<string, string>,
): Promise<RunningSystem> {
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
    serviceUrl(service) {
      const svc = platform.services.get(service);
      if (!svc) throw new Error(`no service ${service}`);
      return svc.url;
    },
    addGateway: async () => {
      throw new Error('addGateway() needs PORTICO_SYSTEM_MODE=distributed');
    },
    async serviceSql(service, statement) {
      const svc = platform.services.get(service);
      if (!svc) throw new Error(`no service ${service}`);
      await sql.raw(statement).execute(svc.deps.db);
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

/**
 * Waits for a part to print `<name> listening on <url>` (portico start does, once bound) and
 * returns the port it bound. Parts start with PORT=0: the kernel hands each a port nobody holds,
 * so two systems started side by side (vitest runs files in parallel) can never answer for each
 * other — a port probed free and handed over later could be taken in between.
 */
async function waitListening(
  name: string,
  proc: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<number> {
  const pattern = new RegExp(`^${name} listening on http://[^:]+:(\\d+)`, 'm');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = pattern.exec(output());
    if (m) return Number(m[1]);
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}) before listening:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen within ${timeoutMs} ms:\n${output()}`);
}

async function waitReady(
  url: string,
  proc: ChildProcess,
  output: () => string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`process exited (${proc.exitCode ?? proc.signalCode}) before ready:\n${output()}`);
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

export async function startDistributedSystem(
  services: string[],
  baseEnv: Record<string, string>,
  partEnv: Record<string, Record<string, string>>,
  servers: Servers = { postgres: POSTGRES_URL, nats: NATS_URL, redis: REDIS_URL },
): Promise<RunningSystem> {
  const prefix = uniqueName('portico_sys');
  const secret = randomBytes(32).toString('base64url');
  const stream = prefix.toUpperCase();
  // Filled as each part first binds (PORT=0); a restarted part takes its port back.
  const ports = new Map<string, number>();
  const upstreams = (): Record<string, string> =>
    Object.fromEntries(
      services.map((name) => [
        `PORTICO_UPSTREAM_${name.toUpperCase().replaceAll('-', '_')}`,
        `http://127.0.0.1:${ports.get(name)}`,
      ]),
    );
  const common = {
    ...process.env,
    ...baseEnv,
    PORTICO_PASSPORT_SECRET: secret,
    NATS_URL: servers.nats,
    PORTICO_NATS_STREAM: stream,
    PORTICO_NATS_PREFIX: prefix,
    REDIS_URL: servers.redis,
    PORTICO_REDIS_PREFIX: `${prefix}:`,
    HOST: '127.0.0.1',
    PORTICO_LOG_LEVEL: process.env.PORTICO_TEST_LOG ?? 'warn',
  } as Record<string, string>;
  const procs = new Map<string, { proc: ChildProcess; out: string[] }>();
  const databases: string[] = [];
  const databaseUrl = (name: string) => {
    const u = new URL(servers.postgres);
    u.pathname = `/${prefix}_${name.replaceAll('-', '_')}`;
    return u.toString();
  };
  // `key` names a second process of the same part (addGateway).
  const spawnPart = (name: string, restarted = false, key = name) => {
    const env: Record<string, string> = {
      ...common,
      ...(name === 'gateway' ? upstreams() : {}),
      PORT: String(ports.get(key) ?? 0),
      PORTICO_DATA_DIR: path.join(os.tmpdir(), prefix),
      ...(restarted ? {} : partEnv[name]),
    };
    // The gateway's usage analytics keep a database of their own (docs/usage.md).
    const db = `${prefix}_${name === 'gateway' ? 'usage' : name.replaceAll('-', '_')}`;
    if (!databases.includes(db)) databases.push(db);
    if (name !== 'gateway') env.DATABASE_URL = databaseUrl(name);
    else env.USAGE_DATABASE_URL ??= databaseUrl('usage');
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
    procs.set(key, { proc, out });
    const output = () => out.join('');
    return {
      proc,
      output,
      listening: async () => {
        const port = await waitListening(name, proc, output);
        ports.set(key, port);
        return `http://127.0.0.1:${port}`;
      },
    };
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
        const { proc, output, listening } = spawnPart(name);
        await waitReady(`${await listening()}/health/ready`, proc, output);
      }),
    );
    const { proc, output, listening } = spawnPart('gateway');
    await waitReady(`${await listening()}/health/live`, proc, output);
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
      const { proc, output, listening } = spawnPart(part, true);
      await waitReady(`${await listening()}/health/${part === 'gateway' ? 'live' : 'ready'}`, proc, output);
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
    serviceUrl(service) {
      if (!services.includes(service)) throw new Error(`no service ${service}`);
      return `http://127.0.0.1:${ports.get(service)}`;
    },
    async addGateway() {
      const key = `gateway-${procs.size}`;
      const { proc, output, listening } = spawnPart('gateway', false, key);
      const url = await listening();
      await waitReady(`${url}/health/live`, proc, output);
      return url;
    },
    async serviceSql(service, statement) {
      if (!services.includes(service)) throw new Error(`no service ${service}`);
      const client = new pg.Client({
        connectionString: databaseUrl(service),
        // Each service keeps its tables in a schema of its name (kit db/postgres.ts).
        options: `-c search_path=${service.replaceAll('-', '_')}`,
      });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
    stop,
  };
}
