/**
 * Turns a validated config into the runtime the request path reads: the router, compiled
 * routes (rewrite functions, policies, header values computed once), upstream services and
 * CORS rules. A reload compiles a new runtime and swaps one reference; requests already in
 * flight keep the runtime they started with.
 */
import { BlockList, isIP } from 'node:net';
import { Router } from '../routing/router.ts';
import { compilePolicy, type CompiledPolicy } from '../limits/rate-limit.ts';
import { compilePlans, type Plans } from '../limits/plans.ts';
import { compileCors, type CompiledCors } from '../edge/cors.ts';
import { parseDuration, parseSize } from './units.ts';
import { templateParams } from './validate.ts';
import { resolveConfig, type AuthMode, type GatewayConfig, type ResolvedConfig } from './schema.ts';
import { keyScopeResources } from '../auth/key-scopes.ts';
import { namedVariable } from './env.ts';
import { opsRoutes } from '../ops/routes.ts';
import { usageRoutes } from '../usage/routes.ts';
import { batchRoute, graphqlRoute, ticketRoute } from './gateway-routes.ts';
import type {
  InstanceRegistry,
  RetryPolicy,
  ServiceSettings,
  Timeouts,
  UpstreamService,
} from '../upstream/service.ts';
import type { GatewayMetrics, RouteStats } from '../observe/metrics.ts';

type Route = ResolvedConfig['routes'][number];
type Service = ResolvedConfig['services'][string];
type Defaults = ResolvedConfig['defaults'];
type TimeoutLayer = NonNullable<Route['timeouts']>;
type Retry = Exclude<Route['retry'] | Service['retry'], false | undefined>;

export interface Deprecation {
  headers: [string, string][];
  sunsetAt: number | null;
}

export interface CompiledRoute {
  index: number;
  /**
   * `proxy`: forwarded to its service; `batch`: the gateway's batch endpoint (`batch/`);
   * `ws-ticket`: the gateway's WebSocket ticket endpoint (`websocket/`); `ops`: the operator
   * routes (`ops/`); `graphql`: the gateway's GraphQL endpoint and GraphiQL (`graphql/`);
   * `usage`: the usage routes (`usage/`).
   */
  kind: 'proxy' | 'batch' | 'ws-ticket' | 'ops' | 'graphql' | 'usage';
  /** Takes `Upgrade: websocket` (`websocket: true`). */
  websocket: boolean;
  /** Route label for metrics and logs: the name, or `METHODS template`. */
  label: string;
  template: string;
  isPrefix: boolean;
  methods: ReadonlySet<string> | null;
  service: string;
  /** Upstream path (no query) from the request path and the matched parameters. */
  target: (path: string, params: string[]) => string;
  auth: AuthMode;
  permission: string | null;
  /** Resources an API key needs a scope on (auth/key-scopes.ts); empty: API keys refused. */
  keyScopes: string[];
  rateLimits: CompiledPolicy[];
  rateLimitPolicyHeader: string;
  timeouts: Timeouts;
  retry: RetryPolicy | null;
  cors: CompiledCors | null;
  bodyLimit: number;
  idempotency: boolean;
  deprecation: Deprecation | null;
  openapi: boolean;
  stats: RouteStats;
  config: Route;
}

export interface Runtime {
  /** The config with its defaults filled in. */
  config: ResolvedConfig;
  router: Router<CompiledRoute>;
  routes: CompiledRoute[];
  services: Map<string, UpstreamService>;
  trusted: BlockList | null;
  identityService: string;
  jwksPath: string;
  apiKeyHeader: string;
  metricsPublic: boolean;
  metricsToken: string | null;
  docsEnabled: boolean;
  /** `console.enabled`: the web console at `/console`. */
  consoleEnabled: boolean;
  /** `console.slos`: what the console shows error-budget burn for (`/console/slos.json`). */
  slos: { name: string; route: string; objective: number; latency_seconds: number | null }[];
  metricsEnabled: boolean;
  /** `access_log`: one JSON line per request, a `sample` share of them (errors ≥ 500 always). */
  accessLog: { enabled: boolean; sample: number };
  /** `idempotency:` (applied on reload). */
  idempotency: { ttlMs: number; lockMs: number; maxBody: number };
  /** `batch:`: null when disabled. */
  batch: { maxOperations: number; maxResponseBody: number } | null;
  /** `graphql:`: null when disabled. */
  graphql: GraphqlSettings | null;
  /** `ops:`: null when the operator routes are off. */
  ops: { maxEventStreams: number } | null;
  /** `websockets:`: ticket lifetime, the cap per caller and the largest message. */
  websockets: { maxPerCaller: number; ticketTtlMs: number; maxMessage: number };
  /** `compression:`: null when disabled. */
  compression: { threshold: number; encodings: readonly ('br' | 'gzip')[] } | null;
  /** `plans:`: consumer plans (limits/plans.ts); none listed: no plan is enforced. */
  plans: Plans;
  /** `usage:`: null when disabled (usage/recorder.ts). */
  usage: { sampleRate: number; flushMs: number; retentionDays: number } | null;
}

export interface GraphqlSettings {
  path: string;
  graphiql: boolean;
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxList: number;
}

/** The timeouts of `defaults:` (complete: the schema has their defaults), then a service's, then a route's. */
function timeouts(base: Defaults['timeouts'], ...layers: (TimeoutLayer | undefined)[]): Timeouts {
  const t = Object.assign({}, base, ...layers) as Defaults['timeouts'];
  return {
    connectMs: parseDuration(t.connect),
    firstByteMs: parseDuration(t.first_byte),
    totalMs: parseDuration(t.total),
    idleMs: parseDuration(t.idle),
  };
}

/** The retry of `defaults:` (complete unless false), then a service's, then a route's; any false turns it off. */
function retryPolicy(base: Defaults['retry'], ...layers: (Retry | false | undefined)[]): RetryPolicy | null {
  if (base === false || layers.some((l) => l === false)) return null;
  const r = Object.assign({}, base, ...layers) as Exclude<Defaults['retry'], false>;
  if (r.retries === 0) return null;
  return {
    retries: r.retries,
    backoffMs: parseDuration(r.backoff),
    maxBackoffMs: parseDuration(r.max_backoff),
  };
}

function deprecation(route: Route, now: number): Deprecation | null {
  const d = route.deprecated;
  if (!d) return null;
  const spec = d === true ? {} : d;
  const since = spec.since ? Date.parse(spec.since) : now;
  // RFC 9745 §2: Deprecation is an RFC 9651 Date (`@` + epoch seconds); RFC 8594: Sunset is an HTTP-date.
  const headers: [string, string][] = [['deprecation', `@${Math.floor(since / 1000)}`]];
  const sunsetAt = spec.sunset ? Date.parse(spec.sunset) : null;
  if (sunsetAt !== null) headers.push(['sunset', new Date(sunsetAt).toUTCString()]);
  if (spec.successor) headers.push(['link', `<${spec.successor}>; rel="successor-version"`]);
  return { headers, sunsetAt };
}

function targetFn(route: Route): (path: string, params: string[]) => string {
  if (route.prefix !== undefined) {
    const prefix = route.prefix.length > 1 ? route.prefix.replace(/\/$/, '') : route.prefix;
    if (route.rewrite === undefined) return (path) => path;
    const to = route.rewrite.length > 1 ? route.rewrite.replace(/\/$/, '') : '';
    const cut = prefix === '/' ? 0 : prefix.length;
    return (path) => to + path.slice(cut) || '/';
  }
  if (route.rewrite === undefined) return (path) => path;
  const names = templateParams(route.path!) as string[];
  const parts = route.rewrite
    .split('/')
    .slice(1)
    .map((seg) => (seg.startsWith('{') ? names.indexOf(seg.slice(1, -1)) : seg));
  return (_path, params) => {
    let out = '';
    for (const p of parts) out += '/' + (typeof p === 'number' ? params[p]! : p);
    return out || '/';
  };
}

export function serviceSettings(config: ResolvedConfig, name: string): ServiceSettings {
  const s = config.services[name]!;
  const health = s.health === false ? null : s.health;
  return {
    name,
    instances: s.instances,
    balancing: s.balancing,
    timeouts: timeouts(config.defaults.timeouts, s.timeouts),
    retry: retryPolicy(config.defaults.retry, s.retry) ?? { retries: 0, backoffMs: 0, maxBackoffMs: 0 },
    budgetRatio: s.retry.budget,
    budgetMinPerSecond: s.retry.min_per_second,
    breakerFailures: s.breaker.failures,
    breakerCooldownMs: parseDuration(s.breaker.cooldown),
    connections: s.pool.connections,
    keepAliveMs: parseDuration(s.pool.keep_alive),
    health: health && {
      path: health.path,
      intervalMs: parseDuration(health.interval),
      timeoutMs: parseDuration(health.timeout),
      unhealthyAfter: health.unhealthy_after,
      healthyAfter: health.healthy_after,
    },
    openapiPath: s.openapi === false ? null : s.openapi,
  };
}

/** A route's label in metrics and the access log: its template, `/*` after a prefix. */
export function routeTemplateLabel(r: { path?: string | undefined; prefix?: string | undefined }): string {
  return r.path ?? `${r.prefix!.replace(/\/+$/, '')}/*`;
}

/** An SLO's `route` (a route name) as the metrics label the console reads: the route's template. */
function sloRoute(routes: readonly Route[], name: string): string {
  const r = routes.find((x) => x.name === name);
  return r ? routeTemplateLabel(r) : name;
}

export function compile(raw: GatewayConfig, registry: InstanceRegistry, metrics: GatewayMetrics): Runtime {
  const now = Date.now();
  const config = resolveConfig(raw);
  const policies = new Map<string, CompiledPolicy>();
  for (const [name, p] of Object.entries(config.policies.rate_limits))
    policies.set(
      name,
      compilePolicy(name, p.limit, parseDuration(p.window), p.by, p.on_store_failure, metrics.limiter),
    );
  const cors = new Map<string, CompiledCors>();
  for (const [name, c] of Object.entries(config.cors)) cors.set(name, compileCors(c));

  const services = new Map<string, UpstreamService>();
  for (const name of Object.keys(config.services))
    services.set(name, registry.build(serviceSettings(config, name)));

  const defaults = config.defaults;
  const bodyLimit = parseSize(config.body_limit);
  const router = new Router<CompiledRoute>();
  const batch = batchRoute(config);
  const tickets = ticketRoute(config);
  const ops = new Set(opsRoutes(config));
  const graphql = graphqlRoute(config);
  const usage = new Set(usageRoutes(config));
  const all = [
    ...config.routes,
    ...(batch ? [batch] : []),
    ...(tickets ? [tickets] : []),
    ...ops,
    ...(graphql ? [graphql] : []),
    ...usage,
  ];
  const routes = all.map((r, index): CompiledRoute => {
    const template = r.path ?? r.prefix!;
    const label = r.name ?? `${r.methods?.join(',') ?? '*'} ${routeTemplateLabel(r)}`;
    const rl = (r.rate_limits ?? defaults.rate_limits).map((n) => policies.get(n)!);
    const corsName = r.cors ?? defaults.cors;
    const svc = config.services[r.service];
    const route: CompiledRoute = {
      index,
      kind:
        r === batch
          ? 'batch'
          : r === tickets
            ? 'ws-ticket'
            : ops.has(r)
              ? 'ops'
              : r === graphql
                ? 'graphql'
                : usage.has(r)
                  ? 'usage'
                  : 'proxy',
      websocket: r.websocket === true,
      label,
      template,
      isPrefix: r.prefix !== undefined,
      methods: r.methods ? new Set(r.methods) : null,
      service: r.service,
      target: targetFn(r),
      auth: r.auth ?? defaults.auth,
      permission: r.permission ?? null,
      keyScopes: keyScopeResources(r),
      rateLimits: rl,
      rateLimitPolicyHeader: rl.map((p) => p.policyItem).join(', '),
      timeouts: timeouts(defaults.timeouts, svc?.timeouts, r.timeouts),
      retry: retryPolicy(defaults.retry, svc?.retry, r.retry),
      cors: corsName === false ? null : cors.get(corsName)!,
      bodyLimit: r.body_limit === undefined ? bodyLimit : parseSize(r.body_limit),
      idempotency: r.idempotency ?? defaults.idempotency,
      deprecation: deprecation(r, now),
      openapi: r.openapi,
      // Metrics label a route by its template, not its name: dashboards read the same
      // labels whatever the routes are called (docs/observability.md).
      stats: metrics.routeStats(routeTemplateLabel(r)),
      config: r,
    };
    router.add(template, route, r.prefix !== undefined);
    return route;
  });

  let trusted: BlockList | null = null;
  for (const p of config.trusted_proxies ?? []) {
    trusted ??= new BlockList();
    const [addr, bits] = p.split('/');
    const type = isIP(addr!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(addr!, type);
    else trusted.addSubnet(addr!, Number(bits), type);
  }

  const tokenEnv = config.metrics.token_env;
  return {
    config,
    router,
    routes,
    services,
    trusted,
    identityService: config.identity.service,
    jwksPath: config.identity.jwks_path,
    apiKeyHeader: config.identity.api_key_header.toLowerCase(),
    metricsEnabled: config.metrics.enabled,
    metricsPublic: config.metrics.public,
    metricsToken: tokenEnv ? (namedVariable(tokenEnv) ?? null) : null,
    docsEnabled: config.docs.enabled,
    consoleEnabled: config.console.enabled,
    slos: config.console.slos.map((s) => ({
      name: s.name,
      route: sloRoute(all, s.route),
      objective: s.objective,
      latency_seconds: s.latency === undefined ? null : parseDuration(s.latency) / 1000,
    })),
    accessLog:
      typeof config.access_log === 'boolean'
        ? { enabled: config.access_log, sample: 1 }
        : { enabled: config.access_log.enabled ?? true, sample: config.access_log.sample ?? 1 },
    idempotency: {
      ttlMs: parseDuration(config.idempotency.ttl),
      lockMs: parseDuration(config.idempotency.lock_ttl),
      maxBody: parseSize(config.idempotency.max_body),
    },
    batch: batch && {
      maxOperations: config.batch.max_operations,
      maxResponseBody: parseSize(config.batch.max_response_body),
    },
    graphql: graphql && {
      path: config.graphql.path,
      graphiql: config.graphql.graphiql,
      maxDepth: config.graphql.max_depth,
      maxCost: config.graphql.max_cost,
      maxAliases: config.graphql.max_aliases,
      maxList: config.graphql.max_list,
    },
    ops: config.ops.enabled ? { maxEventStreams: config.ops.max_event_streams } : null,
    websockets: {
      maxPerCaller: config.websockets.max_per_caller,
      ticketTtlMs: parseDuration(config.websockets.ticket_ttl),
      maxMessage: parseSize(config.websockets.max_message),
    },
    compression: config.compression.enabled
      ? { threshold: parseSize(config.compression.threshold), encodings: config.compression.encodings }
      : null,
    plans: compilePlans(config.plans),
    usage: config.usage.enabled
      ? {
          sampleRate: config.usage.sample_rate,
          flushMs: parseDuration(config.usage.flush_interval),
          retentionDays: config.usage.retention_days,
        }
      : null,
  };
}
