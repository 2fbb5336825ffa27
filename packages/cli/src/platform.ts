/**
 * Starting Portico. `startEmbedded` runs every service and the gateway in one process on one
 * PGlite instance and the in-process bus (what `npm start` runs). `startPart` runs one part
 * (a service or the gateway) on PostgreSQL, NATS and Redis (distributed mode). Service code is
 * identical in both: only the storage and bus handed to it differ.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Type, type EventBus } from '@portico/kit';
import {
  createLogger,
  loadSettings,
  MemoryBus,
  NatsBus,
  PGliteProvider,
  PostgresProvider,
  startService,
  type DatabaseProvider,
  type RunningService,
} from '@portico/kit/runtime';
import {
  createGateway,
  loadGatewayConfig,
  SqlUsageStore,
  resolveWorkerCount,
  startGatewayWorkers,
  upstreamOverride,
} from '@portico/gateway';
import { startGatewayPool } from './gateway-workers.ts';
import type { Logger } from 'pino';
import { discoverServices, repoRoot, type DiscoveredService } from './discover.ts';
import { loadOrCreateSecrets, requireSecret } from './secrets.ts';

type Gateway = Awaited<ReturnType<typeof createGateway>>;

export interface Platform {
  gatewayUrl: string;
  services: Map<string, RunningService>;
  stop(): Promise<void>;
}

const PartNumbers = Type.Object({
  PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'a port number, 0–65535' })),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, default: 10, description: 'connections per process' }),
});

/** `PORT` and `DATABASE_POOL_SIZE` as numbers, through the kit's settings loader (a bad one names itself). */
export function partNumbers(source: Record<string, string | undefined>): { port?: number; poolSize: number } {
  const env = loadSettings(PartNumbers, source);
  return { ...(env.PORT !== undefined && { port: env.PORT }), poolSize: env.DATABASE_POOL_SIZE };
}

export interface EmbeddedOptions {
  dataDir?: string;
  configPath?: string;
  /** Gateway port (default PORT or 8000); 0 picks a free one. */
  port?: number;
  /**
   * `fixed` uses each service's embedded port (docs/services.md); `ephemeral` picks free ones (tests).
   * Default: `PORTICO_SERVICE_PORTS` or fixed.
   */
  servicePorts?: 'fixed' | 'ephemeral';
  /** Start only these services (default: all discovered). */
  only?: string[];
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Keep data in memory (tests). */
  inMemory?: boolean;
  /** Use this storage instead of PGlite (e.g. PostgreSQL in one process, for benchmarks). */
  database?: DatabaseProvider;
  /** Use this bus instead of the in-process one (e.g. NATS in one process, for benchmarks); the caller closes it. */
  bus?: EventBus;
  /** Gateway worker threads (`--workers`); default: the config's `workers`. */
  workers?: number | 'auto';
}

export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<Platform> {
  const env = opts.env ?? process.env;
  const logger = opts.logger ?? createLogger({ name: 'portico' });
  const dataDir = path.resolve(opts.dataDir ?? env.PORTICO_DATA_DIR ?? path.join(process.cwd(), 'data'));
  const secrets = await loadOrCreateSecrets(dataDir);
  const configPath = path.resolve(
    opts.configPath ?? env.PORTICO_CONFIG ?? path.join(repoRoot, 'portico.yaml'),
  );
  const discovered = (await discoverServices()).filter((s) => !opts.only || opts.only.includes(s.name));

  const ephemeral = (opts.servicePorts ?? env.PORTICO_SERVICE_PORTS) === 'ephemeral';
  const started = performance.now();
  const db =
    opts.database ??
    (await PGliteProvider.open(opts.inMemory ? {} : { dataDir: path.join(dataDir, 'pglite') }));
  logger.info({ ms: Math.round(performance.now() - started) }, 'embedded database open');
  const bus = opts.bus ?? new MemoryBus();
  const services = new Map<string, RunningService>();
  let gateway: { url: string; close(): Promise<void> } | undefined;
  const stopAll = async () => {
    await gateway?.close();
    for (const s of [...services.values()].reverse()) await s.stop();
    if (!opts.bus) await bus.close();
    if (!opts.database) await db.close();
  };
  try {
    for (const svc of discovered) {
      const def = await svc.load();
      const running = await startService(def, {
        db,
        bus,
        passportSecret: secrets.passportSecret,
        logger,
        port: ephemeral ? 0 : svc.port,
        env,
        urlOf: (name) => services.get(name)?.url,
        dataDir: path.join(dataDir, svc.name),
      });
      services.set(svc.name, running);
    }
    const config = await loadGatewayConfig(configPath);
    pointUpstreams(config as GatewayConfigLike, services);
    // Hot reload re-reads the file's upstream ports; with ephemeral ports (tests) the
    // addresses exist only in memory, so the file is not watched.
    const gatewayOptions = {
      config,
      ...(!ephemeral && { configPath }),
      passportSecret: secrets.passportSecret,
      bus,
      logger,
      env,
      port: opts.port ?? partNumbers(env).port ?? 8000,
      host: env.HOST ?? '127.0.0.1',
    };
    const workers = resolveWorkerCount(opts.workers ?? config.workers);
    // Usage in the `usage` schema of the embedded database (docs/usage.md); PGlite lives on
    // this thread: gateway worker threads reach it through a port.
    const usageStore = await SqlUsageStore.open(await db.forService('usage'));
    if (workers > 1) {
      // The gateway on worker threads, off the thread where the services and PGlite run; they
      // reach the in-process bus through the main thread (docs/gateway.md, "Workers").
      const pool = await startGatewayWorkers({ workers, ...gatewayOptions, usageStore });
      gateway = { url: pool.url, close: () => pool.close() };
    } else {
      const single = await createGateway({ ...gatewayOptions, usageStore });
      await single.listen();
      gateway = single;
    }
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
  return { gatewayUrl: gateway.url, services, stop: stopAll };
}

interface GatewayConfigLike {
  services: Record<string, { instances: string[] }>;
}

/** In embedded mode the services' real addresses replace the configured ones. */
function pointUpstreams(config: GatewayConfigLike, services: Map<string, RunningService>): void {
  for (const [name, running] of services) {
    const svc = config.services[name];
    if (svc) svc.instances = [running.url];
  }
}

/**
 * Where a service of `portico.yaml` lives: the gateway's own `PORTICO_UPSTREAM_<NAME>` override
 * (`upstreamOverride`), else the file's instances; base URLs without a trailing slash.
 */
export async function configuredServiceUrls(
  configPath: string,
  env: Record<string, string | undefined>,
): Promise<(service: string) => string[] | undefined> {
  const doc = parseYaml(await readFile(configPath, 'utf8')) as Partial<GatewayConfigLike> | null;
  const inFile = doc?.services ?? {};
  return (service) =>
    (upstreamOverride(service, env) ?? inFile[service]?.instances)?.map((u) => u.replace(/\/$/, ''));
}

export interface PartOptions {
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Gateway worker threads (`--workers`); default: the config's `workers`. */
  workers?: number | 'auto';
}

/**
 * Distributed mode: one part per process. Services need `DATABASE_URL`, `NATS_URL` and
 * `PORTICO_PASSPORT_SECRET`; the gateway needs `PORTICO_PASSPORT_SECRET` and takes
 * `REDIS_URL` and `NATS_URL` (revocations, audit) and `USAGE_DATABASE_URL` (usage analytics).
 */
export async function startPart(
  name: string,
  opts: PartOptions = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const env = opts.env ?? process.env;
  const numbers = partNumbers(env);
  const logger = opts.logger ?? createLogger({ name });
  const secret = requireSecret(env, 'PORTICO_PASSPORT_SECRET');
  const configPath = path.resolve(env.PORTICO_CONFIG ?? path.join(repoRoot, 'portico.yaml'));
  const bus: EventBus | undefined = env.NATS_URL
    ? await NatsBus.connect({
        url: env.NATS_URL,
        ...(env.PORTICO_NATS_STREAM && { stream: env.PORTICO_NATS_STREAM }),
        ...(env.PORTICO_NATS_PREFIX && { prefix: env.PORTICO_NATS_PREFIX }),
      })
    : undefined;

  if (name === 'gateway') {
    let gateway: Gateway | undefined;
    try {
      const config = await loadGatewayConfig(configPath);
      const workers = resolveWorkerCount(opts.workers ?? config.workers);
      if (workers > 1) {
        await bus?.close();
        return await startGatewayPool({
          workers,
          config,
          configPath,
          passportSecret: secret,
          env,
          logger,
          port: numbers.port ?? 8000,
        });
      }
      gateway = await createGateway({
        config,
        configPath,
        passportSecret: secret,
        ...(bus && { bus }),
        ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
        ...(env.USAGE_DATABASE_URL && { usageDatabaseUrl: env.USAGE_DATABASE_URL }),
        logger,
        env,
        port: numbers.port ?? 8000,
        host: env.HOST ?? '0.0.0.0',
      });
      await gateway.listen();
    } catch (err) {
      await Promise.allSettled([gateway?.close(), bus?.close()]);
      throw err;
    }
    return {
      url: gateway.url,
      stop: async () => {
        await gateway.close();
        await bus?.close();
      },
    };
  }

  const svc: DiscoveredService | undefined = (await discoverServices()).find((s) => s.name === name);
  if (!svc)
    throw new Error(
      `no service named ${name}; known: gateway, ${(await discoverServices()).map((s) => s.name).join(', ')}`,
    );
  if (!bus) throw new Error('NATS_URL is required to start a service in distributed mode');
  if (!env.DATABASE_URL) {
    await bus.close();
    throw new Error('DATABASE_URL is required to start a service in distributed mode');
  }
  const db: DatabaseProvider = new PostgresProvider({
    urlFor: () => env.DATABASE_URL!,
    poolSize: numbers.poolSize,
  });
  const urls = await configuredServiceUrls(configPath, env);
  let running: RunningService;
  try {
    running = await startService(await svc.load(), {
      db,
      bus,
      passportSecret: secret,
      logger,
      port: numbers.port ?? svc.port,
      host: env.HOST ?? '0.0.0.0',
      env,
      urlOf: (target) => urls(target)?.[0],
      dataDir: path.resolve(env.PORTICO_DATA_DIR ?? 'data', name),
    });
  } catch (err) {
    // A failed start must not leave the NATS connection or pools holding the process open.
    await Promise.allSettled([bus.close(), db.close()]);
    throw err;
  }
  return {
    url: running.url,
    stop: async () => {
      await running.stop();
      await bus.close();
      await db.close();
    },
  };
}
