/**
 * The gateway: a plain `node:http` server, the compiled runtime (swapped atomically on
 * reload), the shared state (store, denylist, credential caches, passports) and the
 * gateway's own routes (`own/routes.ts`). The request path itself is the step list in
 * `pipeline/steps.ts`.
 *
 * @example
 *   const gw = await createGateway({ config: await loadGatewayConfig('portico.yaml'), passportSecret });
 *   const { port } = await gw.listen();
 */
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { channel } from 'node:diagnostics_channel';
import { pino, type Logger } from 'pino';
import { compile, type Runtime } from './config/compile.ts';
import { validateGatewayConfig } from './config/validate.ts';
import { ConfigError } from './config/load.ts';
import { parseDuration } from './config/units.ts';
import { InstanceRegistry } from './upstream/service.ts';
import { GatewayMetrics, type HistogramSeries } from './observe/metrics.ts';
import { addGauges } from './observe/gauges.ts';
import { MemoryStore } from './store/memory.ts';
import { RedisStore } from './store/redis.ts';
import { SharedMemoryStore } from './workers/shared-store.ts';
import { SharedStateClient } from './workers/state-channel.ts';
import { Denylist } from './auth/denylist.ts';
import { JwksCache } from './auth/jwks.ts';
import { JwtVerifier } from './auth/jwt.ts';
import { ApiKeyVerifier } from './auth/api-keys.ts';
import { Authenticator } from './auth/authenticate.ts';
import { PassportMint } from './auth/principal.ts';
import { DenialReporter, subscribeRevocations } from './auth/revocations.ts';
import { RateLimiter } from './limits/rate-limit.ts';
import { IdentityClient } from './identity-client.ts';
import { OpenApiAggregator } from './own/openapi.ts';
import { ownRoutes } from './own/routes.ts';
import { watchConfig } from './reload.ts';
import { ConnectionRegistry } from './websocket/connections.ts';
import { EventFeed } from './ops/events.ts';
import { RequestContext } from './pipeline/context.ts';
import { handle } from './pipeline/steps.ts';
import { resolveConfig, type GatewayConfig, type ResolvedConfig } from './config/schema.ts';
import { restartOnlyChanges } from './config/restart.ts';
import type { GatewayStore } from './store/store.ts';
import type { Subscription } from '@portico/kit';
import { AccessLog } from './observe/access-log.ts';
import { answerClientError, createRequestTracer, logLevel, type RequestTracer } from '@portico/kit/runtime';
import { isApiVersion, LATEST_API_VERSION } from '@portico/kit';
import { PostgresProvider } from '@portico/kit/runtime';
import { UsageRecorder } from './usage/recorder.ts';
import { SqlUsageStore } from './usage/store.ts';
import { gatewayEnv } from './config/env.ts';
import type { GatewayCore, OwnHandler } from './core.ts';
import type { GatewayHandle, GatewayOptions } from './gateway-options.ts';

export type { GatewayHandle, GatewayOptions } from './gateway-options.ts';

const requestChannel = channel('portico.gateway.reload');

class Gateway implements GatewayCore {
  readonly log: Logger;
  readonly accessLog: AccessLog;
  tracer: RequestTracer | undefined;
  readonly metrics = new GatewayMetrics();
  readonly store: GatewayStore;
  readonly mint: PassportMint;
  readonly limiter: RateLimiter;
  readonly authenticator: Authenticator;
  readonly server: Server;
  readonly registry = new InstanceRegistry();
  readonly denylist: Denylist;
  readonly connections: ConnectionRegistry;
  readonly jwks: JwksCache;
  readonly jwt: JwtVerifier;
  readonly apiKeys: ApiKeyVerifier;
  readonly openapi: OpenApiAggregator;
  readonly events: EventFeed | null;
  usage: UsageRecorder | null = null;
  readonly #reporter: DenialReporter;
  readonly #opts: GatewayOptions;
  #rt: Runtime;
  /** The config the parts built at start run with (restart-only settings, config/restart.ts). */
  readonly #started: ResolvedConfig;
  #own: Map<string, OwnHandler>;
  #upstreamSeries = new Map<string, HistogramSeries>();
  #subscription: Subscription | null = null;
  #stopWatching: (() => void) | null = null;
  #closing = false;
  port = 0;
  host: string;

  constructor(opts: GatewayOptions) {
    this.#opts = opts;
    const config = resolveConfig(opts.config);
    const env = gatewayEnv();
    this.log = opts.logger ?? pino({ name: 'gateway', level: logLevel() });
    this.accessLog = new AccessLog(this.log);
    this.store = opts.redisUrl
      ? new RedisStore(opts.redisUrl, {
          prefix: config.store.prefix,
          timeoutMs: parseDuration(config.store.timeout),
        })
      : opts.sharedWindows && opts.sharedState
        ? new SharedMemoryStore(opts.sharedWindows, new SharedStateClient(opts.sharedState))
        : new MemoryStore();
    this.mint = new PassportMint(opts.passportSecret, Math.round(parseDuration(config.passport.ttl) / 1000));
    this.limiter = new RateLimiter(this.store);
    this.#rt = compile(opts.config, this.registry, this.metrics);
    this.#started = this.#rt.config;
    const identity = new IdentityClient(
      () => this.#rt.services.get(this.#rt.identityService),
      () => this.#rt.jwksPath,
      this.mint,
    );
    const id = config.identity;
    this.jwks = new JwksCache(identity.fetchJwks, {
      floorMs: parseDuration(id.jwks_refresh_floor),
      maxAgeMs: parseDuration(id.jwks_max_age),
      log: this.log,
    });
    this.jwt = new JwtVerifier(this.jwks, { skewMs: parseDuration(id.clock_skew) });
    this.apiKeys = new ApiKeyVerifier(identity.call, parseDuration(id.api_key_cache_ttl));
    this.denylist = new Denylist(this.store, this.log);
    this.authenticator = new Authenticator(this.jwt, this.apiKeys, this.denylist);
    this.connections = new ConnectionRegistry(this.denylist);
    this.#reporter = new DenialReporter(opts.bus, this.log);
    // Subscribes on the first stream an admin opens (`ops.enabled` is checked per request).
    this.events = opts.bus ? new EventFeed(opts.bus, this.log) : null;
    this.openapi = new OpenApiAggregator(parseDuration(config.openapi.refresh), this.log);
    this.host = opts.host ?? config.listen?.host ?? env.HOST ?? '127.0.0.1';
    this.port = opts.port ?? config.listen?.port ?? env.PORT ?? 8000;
    this.#own = ownRoutes({
      store: this.store,
      jwks: this.jwks,
      openapi: this.openapi,
      metrics: this.metrics,
      bus: opts.bus,
      closing: () => this.#closing,
      aggregateMetrics: opts.aggregateMetrics,
      workersHealth: opts.workersHealth,
    });
    const worker = opts.workerId === undefined ? undefined : String(opts.workerId);
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      if (worker !== undefined) res.setHeader('x-portico-worker', worker);
      handle(new RequestContext(this, this.#rt, req, res));
    });
    this.server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
    // Requests Node's parser refuses (headers over 16 KB, malformed HTTP) still get a problem.
    this.server.on('clientError', answerClientError);
    addGauges(this.metrics, () => this.#rt.services.values(), this.store);
  }

  /**
   * The platform's OpenAPI document at an API version (docs/versions.md): what
   * `/openapi.json?version=` serves. The CI breaking-change gate compares a committed snapshot
   * with the document at the snapshot's version.
   */
  documentForVersion(version: string = LATEST_API_VERSION): Promise<Record<string, unknown>> {
    if (!isApiVersion(version)) return Promise.reject(new Error(`${version} is not an API version`));
    return this.openapi.document(this.#rt, version);
  }

  /**
   * A request asking for another protocol (`Upgrade`, RFC 9110 §7.8): it goes through the same
   * steps, answered over the raw socket by a response bound to it, so every refusal is the same
   * problem a request gets; the websocket step relays an accepted WebSocket handshake.
   */
  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    // No HTTP exchange follows a refused upgrade on this connection.
    res.shouldKeepAlive = false;
    res.once('finish', () => socket.end());
    const ctx = new RequestContext(this, this.#rt, req, res);
    const upgrade = req.headers.upgrade;
    if (typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket') ctx.upgrade = { socket, head };
    handle(ctx);
  }

  get runtime(): Runtime {
    return this.#rt;
  }

  // Idempotency's settings come from the runtime: a reload applies them.
  get idempotencyTtlMs(): number {
    return this.#rt.idempotency.ttlMs;
  }
  get idempotencyLockMs(): number {
    return this.#rt.idempotency.lockMs;
  }
  get idempotencyMaxBody(): number {
    return this.#rt.idempotency.maxBody;
  }

  async start(): Promise<void> {
    this.tracer = await createRequestTracer('gateway', this.#opts.env ?? process.env);
    if (this.store instanceof RedisStore && !(await this.store.ready(2000)))
      this.log.warn('Redis is not reachable yet: rate limits follow their fail modes until it is');
    for (const svc of this.#rt.services.values()) svc.startHealthChecks();
    await this.#startUsage();
    this.denylist.start();
    this.connections.start();
    this.jwks.start();
    if (this.#opts.bus)
      this.#subscription = await subscribeRevocations(this.#opts.bus, {
        denylist: this.denylist,
        jwt: this.jwt,
        apiKeys: this.apiKeys,
        log: this.log,
      });
    if (this.#opts.configPath)
      this.#stopWatching = watchConfig(this.#opts.configPath, this.log, {
        apply: (c) => this.reload(c),
        rejected: () => this.metrics.reloads.inc({ result: 'invalid' }),
      });
  }

  /** Opens the usage store (when one is configured) and starts flushing to it. */
  async #startUsage(): Promise<void> {
    // Opened even when `usage.enabled` is false, so a reload can turn recording on.
    const settings = this.#rt.usage ?? { sampleRate: 1, flushMs: 1000, retentionDays: 90 };
    let store = this.#opts.usageStore;
    if (store === undefined && this.#opts.usageDatabaseUrl !== undefined) {
      const url = this.#opts.usageDatabaseUrl;
      const provider = new PostgresProvider({ urlFor: () => url, poolSize: 2 });
      try {
        store = await SqlUsageStore.open(await provider.forService('usage'), true);
      } catch (err) {
        await provider.close().catch(() => {});
        throw err;
      }
    }
    if (store === undefined) {
      this.log.info('usage: no usage store configured (USAGE_DATABASE_URL): requests are not recorded');
      return;
    }
    this.usage = new UsageRecorder(store, settings, this.log);
    this.usage.start();
  }

  reload(config: GatewayConfig): void {
    const checked = validateGatewayConfig(config);
    if (!checked.ok) {
      this.metrics.reloads.inc({ result: 'invalid' });
      throw new ConfigError(checked.errors);
    }
    const old = this.#rt;
    const next = compile(config, this.registry, this.metrics);
    this.#rt = next;
    if (next.usage !== null) this.usage?.configure(next.usage);
    for (const svc of old.services.values()) svc.stopHealthChecks();
    for (const svc of next.services.values()) svc.startHealthChecks();
    void this.registry.prune([...next.services.values()]);
    this.metrics.reloads.inc({ result: 'applied' });
    if (requestChannel.hasSubscribers) requestChannel.publish({ routes: next.routes.length });
    this.log.info({ routes: next.routes.length, services: next.services.size }, 'gateway config applied');
    // Compared with the config the gateway started with: that is what those parts still run.
    const pending = restartOnlyChanges(this.#started, next.config);
    if (pending.length)
      this.log.warn(
        { needs_restart: pending },
        `gateway config applied except ${pending.join(', ')}: read at start, they take effect at the next restart`,
      );
  }

  async listen(): Promise<{ port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      const reusePort = this.#opts.reusePort === true;
      this.server.listen({ port: this.port, host: this.host, ...(reusePort && { reusePort }) }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.log.info({ url: this.url }, 'gateway listening');
    return { port: this.port };
  }

  get url(): string {
    const host = this.host.includes(':')
      ? `[${this.host}]`
      : this.host === '0.0.0.0'
        ? '127.0.0.1'
        : this.host;
    return `http://${host}:${this.port}`;
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#stopWatching?.();
    this.connections.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const grace = setTimeout(() => this.server.closeAllConnections(), 5000);
    await closed;
    clearTimeout(grace);
    await this.tracer?.flush().catch(() => {});
    for (const svc of this.#rt.services.values()) svc.stopHealthChecks();
    this.denylist.stop();
    this.jwks.stop();
    await this.#subscription?.stop().catch(() => {});
    await this.events?.stop();
    await this.registry.closeAll();
    if (this.usage !== null) {
      await this.usage.close();
      if (this.#opts.usageStore === undefined) await this.usage.store.close();
    }
    await this.store.close();
    this.accessLog.flush();
  }

  // ---- hooks used by request contexts ---------------------------------------------------

  ownRoute(path: string): OwnHandler | undefined {
    return this.#own.get(path);
  }

  reportDenied(ctx: RequestContext, status: 401 | 403, reason: string): void {
    this.metrics.denied.inc({ status: String(status), reason });
    const ua = ctx.req.headers['user-agent'];
    this.#reporter.report({
      actor_id: ctx.principal.caller.id,
      method: ctx.method,
      path: ctx.path,
      status,
      reason,
      ip: ctx.ip || null,
      user_agent: typeof ua === 'string' ? ua : null,
      request_id: ctx.requestId,
      source: 'gateway',
    });
  }

  upstreamSeries(service: string): HistogramSeries {
    let s = this.#upstreamSeries.get(service);
    if (!s) this.#upstreamSeries.set(service, (s = this.metrics.upstreamDuration.series({ service })));
    return s;
  }
}

/**
 * Creates a gateway (not yet listening): compiles the config, opens the store, starts health
 * checks, the JWKS cache, the denylist sync, the revocation subscription and the file watch.
 */
export async function createGateway(opts: GatewayOptions): Promise<GatewayHandle> {
  const gw = new Gateway(opts);
  await gw.start();
  return {
    listen: () => gw.listen(),
    close: () => gw.close(),
    reload: (config) => gw.reload(config),
    renderMetrics: () => gw.metrics.render(),
    documentForVersion: (version) => gw.documentForVersion(version),
    breakers: {
      watch: (fn) => (gw.registry.onBreakerChange = fn),
      adopt: (service, origin, state, openedAt) => gw.registry.adoptBreaker(service, origin, state, openedAt),
    },
    get url() {
      return gw.url;
    },
  };
}
