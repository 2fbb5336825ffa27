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

export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(b|kb|mb|gb)$';
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const opt = Type.Optional;
const duration = (description?: string) =>
  Type.String({ pattern: DURATION_PATTERN, ...(description !== undefined && { description }) });
const size = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: SIZE_PATTERN })], {
  'x-hint': 'a size like 512kb or 1mb, or a byte count',
});
const name = Type.String({ pattern: '^[a-z][a-z0-9_-]*$' });
const strings = Type.Array(Type.String({ minLength: 1 }));
/** `false` as a value (TypeBox's literal would add `type: boolean`, which changes Ajv's messages). */
const off = Type.Unsafe<false>({ const: false });

/** A mapping from names (`name` above) to values of one shape. */
function named<S extends TSchema>(value: S, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Record<string, Static<S>>>({
    type: 'object',
    ...options,
    propertyNames: name,
    additionalProperties: value,
  });
}

const authMode = Type.Enum(['none', 'optional', 'required']);
const balancing = Type.Enum(['round_robin', 'least_request']);
const dimension = Type.Enum(['ip', 'user', 'api_key', 'caller', 'route']);
const failMode = Type.Enum(['open', 'closed'], {
  description: 'What happens when the shared store (Redis) cannot answer.',
});
/** Typed as any string, as configs built in code pass `string[]`; the schema holds the list. */
const method = Type.Unsafe<string>({ enum: [...HTTP_METHODS] });

const timeouts = Type.Object(
  {
    connect: opt(duration('TCP connect to the upstream.')),
    first_byte: opt(duration('From the request being sent to the response headers.')),
    total: opt(duration('Whole exchange, headers and body (not applied to event streams).')),
    idle: opt(duration('Longest silence between two body chunks (event streams included).')),
  },
  { additionalProperties: false },
);
const retry = Type.Object(
  {
    retries: opt(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        description: 'Extra attempts after the first (0 disables retries).',
      }),
    ),
    backoff: opt(duration('First backoff; doubles per attempt, with full jitter.')),
    max_backoff: opt(duration()),
    budget: opt(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'Retries allowed as a share of requests over the last 10 s (0.2 = 20 %).',
      }),
    ),
    min_per_second: opt(
      Type.Integer({
        minimum: 0,
        description: 'Retries always allowed per second, whatever the ratio says.',
      }),
    ),
  },
  { additionalProperties: false },
);
const retryOrOff = Type.Union([retry, off], { 'x-hint': 'a retry object or false' });
const corsRef = Type.Union([Type.String(), off], { 'x-hint': 'the name of a cors policy, or false' });
const date = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?$' });

const identity = Type.Object(
  {
    service: opt(
      Type.String({
        ...name,
        description: 'The service (in `services`) that serves the JWKS and verifies API keys.',
      }),
    ),
    jwks_path: opt(Type.String({ pattern: '^/' })),
    jwks_refresh_floor: opt(
      duration('Shortest interval between two JWKS fetches triggered by an unknown `kid`.'),
    ),
    jwks_max_age: opt(duration('Background refresh interval of the JWKS.')),
    clock_skew: opt(duration('Leeway for `exp` and `nbf` (RFC 7519 §4.1.4).')),
    api_key_cache_ttl: opt(duration()),
    api_key_header: opt(Type.String({ pattern: '^[A-Za-z0-9-]+$' })),
  },
  { additionalProperties: false },
);

const cors = Type.Object(
  {
    origins: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    methods: opt(Type.Array(method)),
    headers: opt(strings),
    expose: opt(strings),
    credentials: opt(Type.Boolean()),
    max_age: opt(duration()),
  },
  { additionalProperties: false },
);

const rateLimitPolicy = Type.Object(
  {
    limit: Type.Integer({ minimum: 1 }),
    window: duration(),
    by: opt(Type.Array(dimension, { uniqueItems: true })),
    on_store_failure: opt(failMode),
  },
  { additionalProperties: false },
);

const healthCheck = Type.Object(
  {
    path: opt(Type.String({ pattern: '^/' })),
    interval: opt(duration()),
    timeout: opt(duration()),
    unhealthy_after: opt(Type.Integer({ minimum: 1 })),
    healthy_after: opt(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const service = Type.Object(
  {
    instances: Type.Array(Type.String({ pattern: '^https?://[^/]+/?$' }), { minItems: 1 }),
    health: opt(Type.Union([healthCheck, off], { 'x-hint': 'a health-check object or false' })),
    openapi: opt(
      Type.Union([Type.String({ pattern: '^/' }), off], {
        'x-hint': 'a path starting with / or false',
        description: "Path of the service's OpenAPI document, or false when it has none.",
      }),
    ),
    balancing: opt(balancing),
    timeouts: opt(timeouts),
    retry: opt(retry),
    breaker: opt(
      Type.Object(
        {
          failures: opt(
            Type.Integer({
              minimum: 1,
              description: 'Consecutive failures that open the breaker of one instance.',
            }),
          ),
          cooldown: opt(
            duration('How long an open breaker refuses traffic before letting one probe through.'),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    pool: opt(
      Type.Object(
        { connections: opt(Type.Integer({ minimum: 1 })), keep_alive: opt(duration()) },
        { additionalProperties: false },
      ),
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
    auth: opt(authMode),
    permission: opt(Type.String({ pattern: '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$' })),
    rate_limits: opt(Type.Array(Type.String())),
    timeouts: opt(timeouts),
    retry: opt(retryOrOff),
    cors: opt(corsRef),
    body_limit: opt(size),
    idempotency: opt(Type.Boolean()),
    deprecated: opt(
      Type.Union([Type.Boolean(), deprecation], {
        'x-hint': 'true, or an object {since, sunset, successor}',
      }),
    ),
    openapi: opt(Type.Boolean({ description: 'Leave this route out of the merged OpenAPI document.' })),
  },
  { additionalProperties: false },
);

const defaults = Type.Object(
  {
    auth: opt(authMode),
    rate_limits: opt(Type.Array(Type.String())),
    cors: opt(corsRef),
    timeouts: opt(timeouts),
    retry: opt(retryOrOff),
    idempotency: opt(Type.Boolean()),
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
    body_limit: opt(size),
    trusted_proxies: opt(strings),
    identity: opt(identity),
    passport: opt(Type.Object({ ttl: opt(duration()) }, { additionalProperties: false })),
    store: opt(
      Type.Object({ prefix: opt(Type.String()), timeout: opt(duration()) }, { additionalProperties: false }),
    ),
    idempotency: opt(
      Type.Object(
        { ttl: opt(duration()), lock_ttl: opt(duration()), max_body: opt(size) },
        { additionalProperties: false },
      ),
    ),
    metrics: opt(
      Type.Object(
        { enabled: opt(Type.Boolean()), public: opt(Type.Boolean()), token_env: opt(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    docs: opt(Type.Object({ enabled: opt(Type.Boolean()) }, { additionalProperties: false })),
    openapi: opt(
      Type.Object(
        {
          title: opt(Type.String()),
          version: opt(Type.String()),
          description: opt(Type.String()),
          refresh: opt(duration()),
        },
        { additionalProperties: false },
      ),
    ),
    access_log: opt(Type.Boolean()),
    cors: opt(named(cors)),
    policies: opt(Type.Object({ rate_limits: opt(named(rateLimitPolicy)) }, { additionalProperties: false })),
    defaults: opt(defaults),
    services: named(service, { minProperties: 1 }),
    routes: Type.Array(route, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type GatewayConfig = Static<typeof gatewayConfigSchema>;
export type ServiceConfig = Static<typeof service>;
export type RouteConfig = Static<typeof route>;
export type DefaultsConfig = Static<typeof defaults>;
export type IdentityConfig = Static<typeof identity>;
export type TimeoutsConfig = Static<typeof timeouts>;
export type RetryConfig = Static<typeof retry>;
export type HealthCheckConfig = Static<typeof healthCheck>;
export type CorsConfig = Static<typeof cors>;
export type RateLimitPolicyConfig = Static<typeof rateLimitPolicy>;
export type DeprecationConfig = Static<typeof deprecation>;
export type AuthMode = Static<typeof authMode>;
export type Balancing = Static<typeof balancing>;
export type RateLimitDimension = Static<typeof dimension>;
export type FailMode = Static<typeof failMode>;
