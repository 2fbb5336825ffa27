/**
 * The sections of `portico.yaml` for features beside the proxy: the console, batch, GraphQL, the
 * operator routes, WebSockets and compression (docs/configuration.md). Spread into the schema (schema.ts).
 */
import { Type } from 'typebox';
import { withDefault as dflt } from './defaults.ts';
import { corsRef, duration, opt, section, size } from './schema-parts.ts';

export const featureSections = {
  console: section({
    enabled: dflt(Type.Boolean(), true),
    slos: dflt(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            route: Type.String({ minLength: 1, description: 'a route name under routes:' }),
            objective: Type.Number({
              exclusiveMinimum: 0,
              exclusiveMaximum: 100,
              description: 'percent of requests that must be good, e.g. 99.9',
            }),
            latency: opt(duration()),
          },
          { additionalProperties: false },
        ),
      ),
      [],
    ),
  }),
  batch: section({
    enabled: dflt(
      Type.Boolean({
        description: 'Serve `POST <path>`: many operations in one request, each through every policy.',
      }),
      false,
    ),
    path: dflt(Type.String({ pattern: '^/[A-Za-z0-9._~/-]*$' }), '/api/v1/batch'),
    max_operations: dflt(Type.Integer({ minimum: 1, maximum: 50 }), 50),
    body_limit: opt(size()),
    max_response_body: dflt(size(), '1mb'),
    rate_limits: dflt(
      Type.Array(Type.String(), {
        description: 'Policies counted once per batch, besides each operation counting on its own route.',
      }),
      [],
    ),
    cors: opt(corsRef()),
  }),
  graphql: section({
    enabled: dflt(
      Type.Boolean({
        description:
          'Serve GraphQL at `<path>` (POST and GET; GraphiQL for browsers), resolved through the REST routes with the caller’s credentials (docs/graphql.md).',
      }),
      false,
    ),
    path: dflt(Type.String({ pattern: '^/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$' }), '/graphql'),
    graphiql: dflt(
      Type.Boolean({ description: 'GET with Accept: text/html answers the GraphiQL page.' }),
      true,
    ),
    max_depth: dflt(Type.Integer({ minimum: 1, maximum: 50 }), 10),
    max_cost: dflt(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        description: 'Largest cost of one operation; the cost is also what the rate limits count.',
      }),
      1000,
    ),
    max_aliases: dflt(Type.Integer({ minimum: 0, maximum: 1000 }), 30),
    max_list: dflt(
      Type.Integer({ minimum: 1, maximum: 100, description: 'Largest `first:` a list field takes.' }),
      100,
    ),
    body_limit: opt(size()),
    rate_limits: opt(
      Type.Array(Type.String(), {
        description: 'Policies a query counts against by its cost (default: defaults.rate_limits).',
      }),
    ),
    cors: opt(corsRef()),
  }),
  ops: section({
    enabled: dflt(
      Type.Boolean({
        description:
          'Serve the operator routes under /api/v1/ops (admin only): dead letters with replay, the live event feed.',
      }),
      false,
    ),
    permission: dflt(
      Type.String({
        pattern: '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$',
        description: 'The permission the operator routes require (admins hold `*`).',
      }),
      'ops:manage',
    ),
    max_event_streams: dflt(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'Live event streams open at once on one gateway process (each caller at most 3).',
      }),
      10,
    ),
  }),
  websockets: section({
    max_per_caller: dflt(
      Type.Integer({
        minimum: 1,
        description: 'Open WebSocket connections per caller (user, API key or IP).',
      }),
      5,
    ),
    tickets_path: dflt(Type.String({ pattern: '^/[A-Za-z0-9._~/-]*$' }), '/api/v1/ws-tickets'),
    ticket_ttl: dflt(duration('How long a WebSocket ticket can be redeemed (once).'), '30s'),
    max_message: dflt(size(), '1mb'),
  }),
  compression: section({
    enabled: dflt(Type.Boolean(), false),
    threshold: dflt(size(), '1kb'),
    encodings: dflt(
      Type.Array(Type.Unsafe<'br' | 'gzip'>({ enum: ['br', 'gzip'] }), { minItems: 1, uniqueItems: true }),
      ['br', 'gzip'],
    ),
  }),
  usage: section({
    enabled: dflt(
      Type.Boolean({
        description:
          'Record every routed request (route, method, status, latency, user or API key, plan), rolled up per minute; serve GET /api/v1/usage.',
      }),
      true,
    ),
    sample_rate: dflt(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: 'Share of requests recorded (each recorded one counts 1/rate); 1 records all.',
      }),
      1,
    ),
    flush_interval: dflt(duration('How often each gateway process writes its rolled-up minutes.'), '1s'),
    retention_days: dflt(
      Type.Integer({ minimum: 1, maximum: 3660, description: 'Minutes older than this are deleted.' }),
      90,
    ),
    permission: dflt(
      Type.String({
        pattern: '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$',
        description:
          "The permission to read anyone's usage and the deprecated-route callers (admins hold `*`).",
      }),
      'usage:manage',
    ),
  }),
};
