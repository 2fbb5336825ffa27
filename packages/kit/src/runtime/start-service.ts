/**
 * Starts one service on given storage and bus: migrations, HTTP app, consumers, outbox relay,
 * health and metrics routes — and stops it gracefully (stop accepting, finish in-flight
 * requests, stop consumers, flush the relay, close pools).
 */
import type { KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/problem.ts';
import { derivePassportKey } from '../auth/passport.ts';
import type { DatabaseProvider } from '../db/database.ts';
import { kitMigrations } from '../db/kit-migrations.ts';
import { loadMigrations, runMigrations } from '../db/migrations.ts';
import type { EventBus, Subscription } from '../events/bus.ts';
import { makeEvent } from '../events/envelope.ts';
import { OutboxRelay, publishInTx } from '../events/outbox.ts';
import {
  listDeadLetters,
  replayDeadLetter,
  startConsumer,
  type ConsumerHost,
  type DeadLetter,
} from '../events/consumer.ts';
import { buildServiceApp, strictAjv } from '../http/app.ts';
import { createRequestTracer } from '../observability/tracing.ts';
import { DEFAULT_LEASE_MS, installIdempotency } from '../idempotency/idempotency.ts';
import { stepTransaction } from '../idempotency/steps.ts';
import { installConditionalRequests } from '../http/conditional.ts';
import { installVersions } from '../http/versioning.ts';
import { versionedTables } from '../db/row-versions.ts';
import { retryTransient } from '../db/sql-errors.ts';
import { Type } from 'typebox';
import { loadSettings, loadVariable } from '../config/settings.ts';
import { createServiceClient } from '../client/service-client.ts';
import { enableKitMetrics, registerServiceGauges, registry } from '../observability/metrics.ts';
import type { AccessDeniedData } from '../events/types.ts';
import { currentScope } from './scope.ts';
import type { AnyDeps, ServiceApp, ServiceDefinition, TxOptions } from '../service.ts';

export interface StartServiceOptions {
  db: DatabaseProvider;
  bus: EventBus;
  /** The gateway's root secret; the service derives only its own key and keys for `calls`. */
  passportSecret: string | Buffer;
  logger: Logger;
  port?: number;
  host?: string;
  env?: Record<string, string | undefined>;
  /** Where other services listen (for `deps.call`). */
  urlOf?: (service: string) => string | undefined;
  dataDir?: string;
  /** Milliseconds to wait for in-flight requests at shutdown. */
  shutdownGraceMs?: number;
}

export interface RunningService {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly app: ServiceApp;
  readonly deps: AnyDeps;
  deadLetters: {
    list(status?: 'parked' | 'replayed' | 'all'): Promise<DeadLetter[]>;
    replay(id: string): Promise<'replayed' | 'not_found' | 'already_replayed'>;
  };
  /** Relays every committed outbox row now (tests, shutdown). */
  flushOutbox(): Promise<void>;
  stop(): Promise<void>;
}

export async function startService(
  def: ServiceDefinition,
  opts: StartServiceOptions,
): Promise<RunningService> {
  enableKitMetrics();
  const logger = opts.logger.child({ service: def.name });
  const env = opts.env ?? process.env;
  const settings = def.settings ? loadSettings(def.settings, env) : {};
  const store = await opts.db.forService(def.name);
  const migrations = def.migrations instanceof URL ? await loadMigrations(def.migrations) : def.migrations;
  const applied = await runMigrations(store, [...kitMigrations, ...migrations]);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const db = store.db as Kysely<any>;
  const tracer = await createRequestTracer(def.name, env);
  const relay = new OutboxRelay({ service: def.name, db, bus: opts.bus, logger, tracer });
  const closers: (() => Promise<void> | void)[] = [];
  const dataDir = opts.dataDir ?? path.resolve('data', def.name);

  const keys = new Map<string, KeyObject>();
  for (const target of def.calls ?? []) keys.set(target, derivePassportKey(opts.passportSecret, target));

  const deps: { -readonly [K in keyof AnyDeps]: AnyDeps[K] } = {
    name: def.name,
    context: undefined,
    db,
    async tx<T>(fn: (trx: Transaction<any>) => Promise<T>, txOpts: TxOptions = {}): Promise<T> {
      const run = () => stepTransaction(db, fn);
      const out = await (txOpts.retry ? retryTransient(run, txOpts.retry) : run());
      relay.nudge();
      return out;
    },
    async publish(trx, type, data, o = {}) {
      if (def.publishes && !def.publishes.includes(type))
        throw new Error(`${def.name} publishes ${type}, which it does not declare in \`publishes\``);
      const scope = currentScope();
      const traceparent = o.traceparent ?? scope?.traceparent;
      const ev = makeEvent(def.name, type, data, {
        ...o,
        ...(traceparent !== undefined && { traceparent }),
      });
      await publishInTx(trx, ev);
      if (scope) scope.published = true;
      return ev;
    },
    settings,
    log: logger,
    call: createServiceClient({ self: def.name, keys, urlOf: opts.urlOf ?? (() => undefined) }),
    bus: opts.bus,
    dataDir,
    onClose: (fn) => closers.push(fn),
  };

  const app = await buildServiceApp({
    service: def.name,
    version: def.version,
    ...(def.description !== undefined && { description: def.description }),
    passportKey: derivePassportKey(opts.passportSecret, def.name),
    logger,
    tracer,
    onDenied: ({ req, status, reason }) => {
      const data: AccessDeniedData = {
        actor_id: req.caller.id,
        method: req.method,
        path: req.url.split('?')[0]!,
        status,
        reason,
        ip: req.caller.clientIp ?? req.ip ?? null,
        user_agent: req.headers['user-agent'] ?? null,
        request_id: String(req.id),
        source: def.name,
      };
      // Best-effort and off the request path: an audit event must never fail a response.
      opts.bus
        .publish(makeEvent(def.name, 'access.denied', data))
        .catch((err: unknown) => logger.warn({ err }, 'access.denied not reported'));
    },
  });
  installIdempotency(app, db, {
    leaseMs:
      loadVariable('PORTICO_IDEMPOTENCY_LEASE_MS', Type.Integer({ minimum: 100 }), env) ?? DEFAULT_LEASE_MS,
    warn: (err, msg) => logger.warn({ err }, msg),
  });
  installConditionalRequests(app, { db, tables: await versionedTables(db) });
  installVersions(app, def.name, def.versions ?? [], (schema) => strictAjv.compile(schema));
  let closing = false;
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  app.get('/health/live', { config: { public: true }, schema: { hide: true } }, async () => ({
    status: 'ok',
  }));
  app.get('/health/ready', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, 'ok' | 'failing'> = {
      database: 'ok',
      bus: opts.bus.isReady() ? 'ok' : 'failing',
    };
    try {
      await store.ping();
    } catch {
      checks.database = 'failing';
    }
    const ok = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  const host: ConsumerHost = { service: def.name, db, deps, logger, nudge: () => relay.nudge(), tracer };
  // Operator routes for `portico dead-letters` and the gateway's `/api/v1/ops/dead-letters`
  // (which checks the admin's permission first): never routed by the gateway; callable only with
  // a passport for this service naming the CLI or the gateway (minted from the platform secret).
  const operatorOnly = async (req: FastifyRequest) => {
    const c = req.caller;
    if (c.auth !== 'service' || (c.service !== 'cli' && c.service !== 'gateway'))
      throw AppError.notFound('Route');
  };
  app.get('/internal/dead-letters', { schema: { hide: true }, preHandler: operatorOnly }, async (req) => {
    const status = (req.query as { status?: string }).status;
    return { data: await listDeadLetters(db, status === 'all' || status === 'replayed' ? status : 'parked') };
  });
  app.post(
    '/internal/dead-letters/:id/replay',
    { schema: { hide: true }, preHandler: operatorOnly },
    async (req) => {
      const id = (req.params as { id: string }).id;
      let result: Awaited<ReturnType<typeof replayDeadLetter>>;
      try {
        result = await replayDeadLetter(host, def.consumers ?? [], id);
      } catch (err) {
        logger.warn({ err, dead_letter: id }, 'dead letter replay failed');
        throw new AppError(
          'conflict',
          'The consumer failed again: the letter stays parked with the new error',
        );
      }
      if (result === 'not_found') throw AppError.notFound('Dead letter');
      if (result === 'already_replayed')
        throw new AppError('invalid_state', 'The letter was replayed already');
      return { id, status: result };
    },
  );

  deps.context = await def.context?.(deps);
  await def.routes(app, deps);
  await app.ready();

  const subs: Subscription[] = [];
  for (const c of def.consumers ?? []) subs.push(await startConsumer(host, opts.bus, c));
  const unregister = registerServiceGauges(
    def.name,
    () => relay.backlog(),
    async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from kit_dead_letters where status = 'parked'`.execute(db)
      ).rows[0]?.n ?? 0,
  );
  await mkdir(dataDir, { recursive: true }).catch(() => {});
  await def.start?.(deps);
  relay.start();

  const address = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const port = Number(new URL(address).port);
  logger.info({ url: address }, 'service listening');

  let stopping: Promise<void> | undefined;
  return {
    name: def.name,
    url: address,
    port,
    app,
    deps,
    deadLetters: {
      list: (status) => listDeadLetters(db, status),
      replay: (id) => replayDeadLetter(host, def.consumers ?? [], id),
    },
    flushOutbox: () => relay.flush(),
    stop() {
      stopping ??= (async () => {
        // 1. stop accepting and finish in-flight requests (Fastify waits for them). A keep-alive
        // connection that served an in-flight request turns idle only after `close()` began, so
        // responses now say `Connection: close` and idle sockets are swept until all are gone.
        closing = true;
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        // 2. stop consumers (they finish the event in hand), 3. flush the relay
        await Promise.all(subs.map((s) => s.stop()));
        for (const fn of closers.reverse()) await fn();
        await relay.stop();
        unregister();
        await tracer?.flush().catch(() => {});
        // 4. close the pool
        await store.close();
        logger.info('service stopped');
      })();
      return stopping;
    },
  };
}
