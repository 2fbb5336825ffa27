/**
 * The schema of `portico.yaml` (JSON Schema draft-07, written with TypeBox and checked with
 * Ajv) and the config's TypeScript types, inferred from it. Every object is closed
 * (`additionalProperties: false`) so a typo is reported with the allowed names instead of
 * being silently ignored. Cross-references (a route's service, its policies) are checked in
 * `validate.ts`, which the schema cannot express. Durations are strings with a unit (`250ms`,
 * `2s`, `1m`, `24h`), sizes `512kb`/`1mb` or a byte count; `compile.ts` turns the document
 * into the runtime tables the request path reads.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { JWKS_PATH } from '@portico/contracts';
import { withDefault as dflt, withDefaults, type Resolved } from './defaults.ts';
import { planSections } from './schema-plans.ts';
import { featureSections } from './schema-features.ts';
import {
  corsRef,
  duration,
  HTTP_METHODS,
  name,
  named,
  off,
  opt,
  section,
  size,
  strings,
} from './schema-parts.ts';

export { DURATION_PATTERN, SIZE_PATTERN, HTTP_METHODS } from './schema-parts.ts';

const authMode = () => Type.Enum(['none', 'optional', 'required']);
const balancing = () => Type.Enum(['round_robin', 'least_request']);
const dimension = Type.Enum(['ip', 'user', 'api_key', 'caller', 'route']);
const failMode = () =>
  Type.Enum(['open', 'closed'], { description: 'What happens when the shared store (Redis) cannot answer.' });
/** Typed as any string, as configs built in code pass `string[]`; the schema holds the list. */
const method = Type.Unsafe<string>({ enum: [...HTTP_METHODS] });

const TIMEOUT_DOCS = {
  connect: 'TCP connect to the upstream.',
  first_byte: 'From the request being sent to the response headers.',
  total: 'Whole exchange, headers and body (not applied to event streams).',
  idle: 'Longest silence between two body chunks (event streams included).',
};
/** Upstream timeouts of a service or a route: what they leave out comes from `defaults:`. */
const timeouts = () =>
  Type.Object(
    {
      connect: opt(duration(TIMEOUT_DOCS.connect)),
      first_byte: opt(duration(TIMEOUT_DOCS.first_byte)),
      total: opt(duration(TIMEOUT_DOCS.total)),
      idle: opt(duration(TIMEOUT_DOCS.idle)),
    },
    { additionalProperties: false },
  );
/** `defaults.timeouts`, where the defaults are. */
const baseTimeouts = Type.Object(
  {
    connect: dflt(duration(TIMEOUT_DOCS.connect), '2s'),
    first_byte: dflt(duration(TIMEOUT_DOCS.first_byte), '15s'),
    total: dflt(duration(TIMEOUT_DOCS.total), '30s'),
    idle: dflt(duration(TIMEOUT_DOCS.idle), '60s'),
  },
  { additionalProperties: false },
);

const retries = () =>
  Type.Integer({
    minimum: 0,
    maximum: 10,
    description: 'Extra attempts after the first (0 disables retries).',
  });
const backoff = () => duration('First backoff; doubles per attempt, with full jitter.');
const budget = () =>
  Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'Retries allowed as a share of requests over the last 10 s (0.2 = 20 %).',
  });
const minPerSecond = () =>
  Type.Integer({ minimum: 0, description: 'Retries always allowed per second, whatever the ratio says.' });
/**
 * Retries of a route: the attempts and backoff are layered from `defaults:` (where their
 * defaults are) to the service and the route; the budget is the service's own.
 */
const retry = Type.Object(
  {
    retries: opt(retries()),
    backoff: opt(backoff()),
    max_backoff: opt(duration()),
    budget: opt(budget()),
    min_per_second: opt(minPerSecond()),
  },
  { additionalProperties: false },
);
const baseRetry = Type.Object(
  {
    retries: dflt(retries(), 2),
    backoff: dflt(backoff(), '25ms'),
    max_backoff: dflt(duration(), '250ms'),
    budget: opt(budget()),
    min_per_second: opt(minPerSecond()),
  },
  { additionalProperties: false },
);
const serviceRetry = Type.Object(
  {
    retries: opt(retries()),
    backoff: opt(backoff()),
    max_backoff: opt(duration()),
    budget: dflt(budget(), 0.2),
    min_per_second: dflt(minPerSecond(), 5),
  },
  { additionalProperties: false },
);
const retryOrOff = <S extends TSchema>(r: S) => Type.Union([r, off], { 'x-hint': 'a retry object or false' });
const date = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?$' });

const identity = Type.Object(
  {
    service: dflt(
      Type.String({
        ...name,
        description: 'The service (in `services`) that serves the JWKS and verifies API keys.',
      }),
      'identity',
    ),
    jwks_path: dflt(Type.String({ pattern: '^/' }), JWKS_PATH),
    jwks_refresh_floor: dflt(
      duration('Shortest interval between two JWKS fetches triggered by an unknown `kid`.'),
      '10s',
    ),
    jwks_max_age: dflt(duration('Background refresh interval of the JWKS.'), '5m'),
    clock_skew: dflt(duration('Leeway for `exp` and `nbf` (RFC 7519 §4.1.4).'), '5s'),
    api_key_cache_ttl: dflt(duration(), '30s'),
    api_key_header: dflt(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), 'x-api-key'),
  },
  { additionalProperties: false },
);

const cors = Type.Object(
  {
    origins: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    methods: opt(Type.Array(method)),
    headers: opt(strings),
    expose: dflt(Type.Array(Type.String({ minLength: 1 })), []),
    credentials: dflt(Type.Boolean(), false),
    max_age: dflt(duration(), '10m'),
  },
  { additionalProperties: false },
);

const rateLimitPolicy = Type.Object(
  {
    limit: Type.Integer({ minimum: 1 }),
    window: duration(),
    by: dflt(Type.Array(dimension, { uniqueItems: true }), ['caller']),
    on_store_failure: dflt(failMode(), 'open'),
  },
  { additionalProperties: false },
);

const healthCheck = Type.Object(
  {
    path: dflt(Type.String({ pattern: '^/' }), '/health/ready'),
    interval: dflt(duration(), '5s'),
    timeout: dflt(duration(), '2s'),
    unhealthy_after: dflt(Type.Integer({ minimum: 1 }), 2),
    healthy_after: dflt(Type.Integer({ minimum: 1 }), 1),
  },
  { additionalProperties: false },
);

const service = Type.Object(
  {
    instances: Type.Array(Type.String({ pattern: '^https?://[^/]+/?$' }), { minItems: 1 }),
    health: dflt(Type.Union([healthCheck, off], { 'x-hint': 'a health-check object or false' }), {}),
    openapi: dflt(
      Type.Union([Type.String({ pattern: '^/' }), off], {
        'x-hint': 'a path starting with / or false',
        description: "Path of the service's OpenAPI document, or false when it has none.",
      }),
      '/openapi.json',
    ),
    balancing: dflt(balancing(), 'round_robin'),
    timeouts: opt(timeouts()),
    retry: dflt(serviceRetry, {}),
    breaker: dflt(
      Type.Object(
        {
          failures: dflt(
            Type.Integer({
              minimum: 1,
              description: 'Consecutive failures that open the breaker of one instance.',
            }),
            5,
          ),
          cooldown: dflt(
            duration('How long an open breaker refuses traffic before letting one probe through.'),
            '10s',
          ),
        },
        { additionalProperties: false },
      ),
      {},
    ),
    pool: dflt(
      Type.Object(
        {
          connections: dflt(Type.Integer({ minimum: 1 }), 128),
          keep_alive: dflt(duration(), '30s'),
        },
        { additionalProperties: false },
      ),
      {},
    ),
  },
  { additionalProperties: false },
);
const deprecation = Type.Object(
  {
    since: opt(
      Type.String({
        ...date,
        description: 'RFC 3339 date (or date-time) from which the route is deprecated.',
      }),
    ),
    sunset: opt(Type.String({ ...date, description: 'After this instant the route answers 410 Gone.' })),
    successor: opt(
      Type.String({
        minLength: 1,
        description: 'URL of the replacement (sent as `Link: <…>; rel="successor-version"`).',
      }),
    ),
  },
  { additionalProperties: false },
);

const route = Type.Object(
  {
    name: opt(Type.String()),
    path: opt(Type.String({ pattern: '^/' })),
    prefix: opt(Type.String({ pattern: '^/' })),
    methods: opt(Type.Array(method, { minItems: 1, uniqueItems: true })),
    service: Type.String(),
    rewrite: opt(Type.String({ pattern: '^/' })),
    auth: opt(authMode()),
    permission: opt(Type.String({ pattern: '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$' })),
    /**
     * The resource(s) an API key needs a scope on to call this route (auth/key-scopes.ts), or
     * `false`: API keys refused. Default: the path's first segment after `/api/v<n>/`.
     */
    api_key_scope: opt(
      Type.Unsafe<string | string[] | false>({
        'x-hint': 'a resource name, a list of them, or false (API keys refused)',
        anyOf: [
          { const: false },
          { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' },
          { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' } },
        ],
      }),
    ),
    rate_limits: opt(Type.Array(Type.String())),
    timeouts: opt(timeouts()),
    retry: opt(retryOrOff(retry)),
    cors: opt(corsRef()),
    body_limit: opt(size()),
    idempotency: opt(Type.Boolean()),
    websocket: opt(
      Type.Boolean({
        description:
          'Accept `Upgrade: websocket` on this route (GET): the gateway authenticates the handshake and relays frames.',
      }),
    ),
    deprecated: opt(
      Type.Union([Type.Boolean(), deprecation], {
        'x-hint': 'true, or an object {since, sunset, successor}',
      }),
    ),
    openapi: dflt(
      Type.Boolean({ description: 'Leave this route out of the merged OpenAPI document.' }),
      true,
    ),
  },
  { additionalProperties: false },
);

/** What every route has unless it (or, for timeouts and retry, its service) says otherwise. */
const defaults = Type.Object(
  {
    auth: dflt(authMode(), 'required'),
    rate_limits: dflt(Type.Array(Type.String()), []),
    cors: dflt(corsRef(), false),
    timeouts: dflt(baseTimeouts, {}),
    retry: dflt(retryOrOff(baseRetry), {}),
    idempotency: dflt(Type.Boolean(), true),
  },
  { additionalProperties: false },
);

export const gatewayConfigSchema = Type.Object(
  {
    version: Type.Unsafe<1>({ const: 1 }),
    listen: opt(
      Type.Object(
        { host: opt(Type.String()), port: opt(Type.Integer({ minimum: 0, maximum: 65535 })) },
        { additionalProperties: false },
      ),
    ),
    workers: dflt(
      Type.Union([Type.Unsafe<'auto'>({ const: 'auto' }), Type.Integer({ minimum: 1, maximum: 256 })], {
        description:
          'Gateway worker threads sharing the port (`auto`: one per CPU core), in both modes (`npm start -- --workers N`).',
        'x-hint': 'auto or a number of worker threads',
      }),
      1,
    ),
    body_limit: dflt(size(), '1mb'),
    trusted_proxies: opt(strings),
    identity: dflt(identity, {}),
    passport: section({ ttl: dflt(duration(), '60s') }),
    store: section({ prefix: dflt(Type.String(), 'portico:gw:'), timeout: dflt(duration(), '250ms') }),
    idempotency: section({
      ttl: dflt(duration(), '24h'),
      lock_ttl: dflt(duration(), '60s'),
      max_body: dflt(size(), '1mb'),
    }),
    metrics: section({
      enabled: dflt(Type.Boolean(), true),
      public: dflt(Type.Boolean(), false),
      token_env: opt(Type.String()),
    }),
    docs: section({ enabled: dflt(Type.Boolean(), true) }),
    openapi: section({
      title: dflt(Type.String(), 'Portico API'),
      version: dflt(Type.String(), '1.0.0'),
      description: opt(Type.String()),
      refresh: dflt(duration(), '60s'),
    }),
    access_log: dflt(
      Type.Union(
        [
          Type.Boolean(),
          Type.Object(
            {
              enabled: opt(Type.Boolean({ description: 'default true' })),
              sample: opt(
                Type.Number({
                  minimum: 0,
                  maximum: 1,
                  description: 'share of requests logged (default 1); answers >= 500 are always logged',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ],
        { 'x-hint': 'true, false or {enabled, sample}' },
      ),
      true,
    ),
    ...featureSections,
    ...planSections,
    cors: dflt(named(cors), {}),
    policies: section({ rate_limits: dflt(named(rateLimitPolicy), {}) }),
    defaults: dflt(defaults, {}),
    services: named(service, { minProperties: 1 }),
    routes: Type.Array(route, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** `portico.yaml` as written (what the schema accepts). */
export type GatewayConfig = Static<typeof gatewayConfigSchema>;
/** `portico.yaml` with every default filled in (`resolveConfig`). */
export type ResolvedConfig = Resolved<typeof gatewayConfigSchema>;
export type ServiceConfig = Static<typeof service>;
export type RouteConfig = Static<typeof route>;
export type DefaultsConfig = Static<typeof defaults>;
export type IdentityConfig = Static<typeof identity>;
export type TimeoutsConfig = Static<ReturnType<typeof timeouts>>;
export type RetryConfig = Static<typeof retry>;
export type HealthCheckConfig = Static<typeof healthCheck>;
export type CorsConfig = Static<typeof cors>;
export type RateLimitPolicyConfig = Static<typeof rateLimitPolicy>;
export type DeprecationConfig = Static<typeof deprecation>;
export type AuthMode = Static<ReturnType<typeof authMode>>;
export type Balancing = Static<ReturnType<typeof balancing>>;
export type RateLimitDimension = Static<typeof dimension>;
export type FailMode = Static<ReturnType<typeof failMode>>;

/** The config with the schema's defaults filled in (a copy). */
export function resolveConfig(config: GatewayConfig): ResolvedConfig {
  return withDefaults(gatewayConfigSchema, config);
}
