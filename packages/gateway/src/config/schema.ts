/**
 * JSON Schema of `portico.yaml` (draft-07, checked with Ajv). Every object is closed
 * (`additionalProperties: false`) so a typo is reported with the allowed names instead of
 * being silently ignored. Cross-references (a route's service, its policies) are checked
 * in `validate.ts`, which the schema cannot express.
 */

export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(b|kb|mb|gb)$';
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const duration = { type: 'string', pattern: DURATION_PATTERN };
const size = {
  'x-hint': 'a size like 512kb or 1mb, or a byte count',
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: SIZE_PATTERN },
  ],
};
const name = { type: 'string', pattern: '^[a-z][a-z0-9_-]*$' };
const RESOURCE = '^[a-z][a-z0-9_-]*$';
const strings = { type: 'array', items: { type: 'string', minLength: 1 } };

function closed(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', additionalProperties: false, properties, required };
}

const timeouts = closed({ connect: duration, first_byte: duration, total: duration, idle: duration });
const retry = closed({
  retries: { type: 'integer', minimum: 0, maximum: 10 },
  backoff: duration,
  max_backoff: duration,
  budget: { type: 'number', minimum: 0, maximum: 1 },
  min_per_second: { type: 'integer', minimum: 0 },
});
const retryOrOff = { 'x-hint': 'a retry object or false', anyOf: [retry, { const: false }] };
const authMode = { enum: ['none', 'optional', 'required'] };
const corsRef = {
  'x-hint': 'the name of a cors policy, or false',
  anyOf: [{ type: 'string' }, { const: false }],
};
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?$' };

export const gatewayConfigSchema = closed(
  {
    version: { const: 1 },
    listen: closed({ host: { type: 'string' }, port: { type: 'integer', minimum: 0, maximum: 65535 } }),
    body_limit: size,
    trusted_proxies: strings,
    identity: closed({
      service: name,
      jwks_path: { type: 'string', pattern: '^/' },
      jwks_refresh_floor: duration,
      jwks_max_age: duration,
      clock_skew: duration,
      api_key_cache_ttl: duration,
      api_key_header: { type: 'string', pattern: '^[A-Za-z0-9-]+$' },
    }),
    passport: closed({ ttl: duration }),
    store: closed({ prefix: { type: 'string' }, timeout: duration }),
    idempotency: closed({ ttl: duration, lock_ttl: duration, max_body: size }),
    metrics: closed({
      enabled: { type: 'boolean' },
      public: { type: 'boolean' },
      token_env: { type: 'string' },
    }),
    docs: closed({ enabled: { type: 'boolean' } }),
    openapi: closed({
      title: { type: 'string' },
      version: { type: 'string' },
      description: { type: 'string' },
      refresh: duration,
    }),
    access_log: { type: 'boolean' },
    cors: {
      type: 'object',
      propertyNames: name,
      additionalProperties: closed(
        {
          origins: { ...strings, minItems: 1 },
          methods: { type: 'array', items: { enum: [...HTTP_METHODS] } },
          headers: strings,
          expose: strings,
          credentials: { type: 'boolean' },
          max_age: duration,
        },
        ['origins'],
      ),
    },
    policies: closed({
      rate_limits: {
        type: 'object',
        propertyNames: name,
        additionalProperties: closed(
          {
            limit: { type: 'integer', minimum: 1 },
            window: duration,
            by: {
              type: 'array',
              items: { enum: ['ip', 'user', 'api_key', 'caller', 'route'] },
              uniqueItems: true,
            },
            on_store_failure: { enum: ['open', 'closed'] },
          },
          ['limit', 'window'],
        ),
      },
    }),
    defaults: closed({
      auth: authMode,
      rate_limits: { type: 'array', items: { type: 'string' } },
      cors: corsRef,
      timeouts,
      retry: retryOrOff,
      idempotency: { type: 'boolean' },
    }),
    services: {
      type: 'object',
      minProperties: 1,
      propertyNames: name,
      additionalProperties: closed(
        {
          instances: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^https?://[^/]+/?$' } },
          health: {
            'x-hint': 'a health-check object or false',
            anyOf: [
              closed({
                path: { type: 'string', pattern: '^/' },
                interval: duration,
                timeout: duration,
                unhealthy_after: { type: 'integer', minimum: 1 },
                healthy_after: { type: 'integer', minimum: 1 },
              }),
              { const: false },
            ],
          },
          openapi: {
            'x-hint': 'a path starting with / or false',
            anyOf: [{ type: 'string', pattern: '^/' }, { const: false }],
          },
          balancing: { enum: ['round_robin', 'least_request'] },
          timeouts,
          retry,
          breaker: closed({ failures: { type: 'integer', minimum: 1 }, cooldown: duration }),
          pool: closed({ connections: { type: 'integer', minimum: 1 }, keep_alive: duration }),
        },
        ['instances'],
      ),
    },
    routes: {
      type: 'array',
      minItems: 1,
      items: closed(
        {
          name: { type: 'string' },
          path: { type: 'string', pattern: '^/' },
          prefix: { type: 'string', pattern: '^/' },
          methods: { type: 'array', minItems: 1, items: { enum: [...HTTP_METHODS] }, uniqueItems: true },
          service: { type: 'string' },
          rewrite: { type: 'string', pattern: '^/' },
          auth: authMode,
          permission: { type: 'string', pattern: '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$' },
          api_key_scope: {
            'x-hint': 'a resource name, a list of them, or false (API keys refused)',
            anyOf: [
              { const: false },
              { type: 'string', pattern: RESOURCE },
              { type: 'array', minItems: 1, items: { type: 'string', pattern: RESOURCE } },
            ],
          },
          rate_limits: { type: 'array', items: { type: 'string' } },
          timeouts,
          retry: retryOrOff,
          cors: corsRef,
          body_limit: size,
          idempotency: { type: 'boolean' },
          deprecated: {
            'x-hint': 'true, or an object {since, sunset, successor}',
            anyOf: [
              { type: 'boolean' },
              closed({ since: date, sunset: date, successor: { type: 'string', minLength: 1 } }),
            ],
          },
          openapi: { type: 'boolean' },
        },
        ['service'],
      ),
    },
  },
  ['version', 'services', 'routes'],
);
