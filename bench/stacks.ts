/**
 * What the benchmarks run against: services at service level (kit `startService` on PGlite or
 * PostgreSQL, memory bus or NATS), or the embedded platform behind the real gateway (some or
 * all services in one process, PGlite or PostgreSQL, memory bus or NATS). Each stack hands out
 * request headers for a given customer and for an admin.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { permissionsForRoles, type ServiceDefinition } from '@portico/kit';
import {
  createLogger,
  derivePassportKey,
  mintPassport,
  PASSPORT_HEADER,
  startService,
  type RunningService,
} from '@portico/kit/runtime';
import { openTestBus, openTestDatabase, type BusKind, type DbKind } from '@portico/kit/testing';
import { repoRoot, startEmbedded } from '@portico/cli';

export interface Stack {
  label: string;
  /** Base URL the load goes to (orders service, or the gateway). */
  origin: string;
  /** Headers that make a request come from `customerId` (passport, or a bearer token). */
  headersFor(customerId: string): Record<string, string>;
  /** Headers for staff (catalogue setup). */
  staffHeaders(): Record<string, string>;
  /** Customer ids the stack can act for. */
  customers: string[];
  services: Map<string, RunningService>;
  stop(): Promise<void>;
}

const logger = createLogger({ level: process.env.PORTICO_BENCH_LOG ?? 'silent' });
const json = { 'content-type': 'application/json' };

export async function serviceStack(
  db: DbKind,
  bus: BusKind,
  defs: ServiceDefinition[],
  customers: number,
): Promise<Stack> {
  const tdb = await openTestDatabase(db);
  const tbus = await openTestBus(bus);
  const secret = randomBytes(32).toString('hex');
  const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'portico-bench-'));
  const services = new Map<string, RunningService>();
  for (const def of defs) {
    services.set(
      def.name,
      await startService(def, {
        db: tdb.provider,
        bus: tbus.bus,
        passportSecret: secret,
        logger,
        env: process.env,
        urlOf: (n) => services.get(n)?.url,
        dataDir: path.join(dataRoot, def.name),
      }),
    );
  }
  const key = derivePassportKey(secret, 'orders');
  // The gateway reuses one passport per caller for its lifetime: so does the benchmark.
  const passports = new Map<string, string>();
  const passport = (id: string, roles: string[]) => {
    let p = passports.get(id);
    if (!p) {
      p = mintPassport(
        key,
        'orders',
        { id, roles, permissions: permissionsForRoles(roles), auth: 'jwt' },
        { ttlSeconds: 3600 },
      ).token;
      passports.set(id, p);
    }
    return p;
  };
  return {
    label: `service level, ${db} + ${bus}`,
    origin: services.get('orders')!.url.replace(/\/$/, ''),
    headersFor: (id) => ({ ...json, [PASSPORT_HEADER]: passport(id, ['user']) }),
    staffHeaders: () => ({ ...json, [PASSPORT_HEADER]: passport('bench-staff', ['staff']) }),
    customers: Array.from({ length: customers }, (_, i) => `bench-customer-${i}`),
    services,
    stop: async () => {
      for (const s of [...services.values()].reverse()) await s.stop();
      await tbus.cleanup();
      await tdb.cleanup();
    },
  };
}

/** portico.yaml with its rate limits raised out of the way (they are still evaluated per request). */
async function benchConfig(dir: string): Promise<string> {
  const doc = parse(await readFile(path.join(repoRoot, 'portico.yaml'), 'utf8')) as {
    policies?: { rate_limits?: Record<string, { limit: number }> };
  };
  for (const l of Object.values(doc.policies?.rate_limits ?? {})) l.limit = 1_000_000_000;
  const file = path.join(dir, 'portico.bench.yaml');
  await writeFile(file, stringify(doc));
  return file;
}

// One data directory (so one passport secret) for every gateway stack of a run: the gateway
// caches the anonymous caller's passports in a module-level object, so a second gateway in the
// same process with another secret would present the first one's passports (→ 401) for ~50 s.
let gatewayDir: Promise<string> | undefined;

export interface GatewayStackOptions {
  /** The bus under the platform (default the in-process memory bus). */
  bus?: BusKind;
  /** The services to start (default identity, orders, shipping). */
  only?: string[];
  /** Gateway worker threads (default 1: the gateway on the thread of the services and PGlite). */
  workers?: number;
}

const DB_LABEL: Record<DbKind, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };
const BUS_LABEL: Record<BusKind, string> = { memory: 'memory bus', nats: 'NATS' };

export async function gatewayStack(
  customers: number,
  db: DbKind = 'pglite',
  opts: GatewayStackOptions = {},
): Promise<Stack> {
  const dir = await (gatewayDir ??= mkdtemp(path.join(os.tmpdir(), 'portico-bench-gw-')));
  const adminEmail = 'admin@bench.test';
  const adminPassword = `Bench-${randomBytes(12).toString('base64url')}`;
  const configPath = await benchConfig(dir);
  const tdb = db === 'postgres' ? await openTestDatabase('postgres') : undefined;
  const tbus = opts.bus === 'nats' ? await openTestBus('nats') : undefined;
  const platform = await startEmbedded({
    ...(tdb && { database: tdb.provider }),
    ...(tbus && { bus: tbus.bus }),
    dataDir: dir,
    inMemory: true,
    port: 0,
    servicePorts: 'ephemeral',
    only: opts.only ?? ['identity', 'orders', 'shipping'],
    env: { ...process.env, PORTICO_ADMIN_EMAIL: adminEmail, PORTICO_ADMIN_PASSWORD: adminPassword },
    logger,
    configPath,
    ...(opts.workers && { workers: opts.workers }),
  });
  const origin = platform.gatewayUrl.replace(/\/$/, '');
  const post = async (p: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(origin + p, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: JSON.stringify(body),
    });
    const out = (await res.json()) as Record<string, any>;
    if (res.status >= 300) throw new Error(`${p}: ${res.status} ${JSON.stringify(out)}`);
    return out;
  };
  const login = async (email: string, password: string) =>
    (await post('/api/v1/auth/login', { email, password })).access_token as string;
  const adminToken = await login(adminEmail, adminPassword);
  const tokens = new Map<string, string>();
  for (let i = 0; i < customers; i++) {
    const email = `bench-${i}-${randomBytes(3).toString('hex')}@bench.test`;
    const password = `Pw-${randomBytes(12).toString('base64url')}`;
    const user = await post('/api/v1/auth/register', { email, password, full_name: `Bench ${i}` });
    tokens.set(user.id as string, await login(email, password));
  }
  return {
    label: `through the gateway${(opts.workers ?? 1) > 1 ? ` (${opts.workers} workers)` : ''}, ${DB_LABEL[db]} + ${BUS_LABEL[opts.bus ?? 'memory']}`,
    origin,
    headersFor: (id) => ({ ...json, authorization: `Bearer ${tokens.get(id)}` }),
    staffHeaders: () => ({ ...json, authorization: `Bearer ${adminToken}` }),
    customers: [...tokens.keys()],
    services: platform.services,
    stop: async () => {
      await platform.stop();
      await tbus?.cleanup();
      await tdb?.cleanup();
    },
  };
}
