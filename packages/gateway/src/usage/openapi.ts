/** The usage routes (`/api/v1/usage`) in the merged OpenAPI document. */
import { USAGE } from './routes.ts';

type Json = Record<string, unknown>;

const problem = (description: string, example?: Json): Json => ({
  description,
  content: {
    'application/problem+json': {
      schema: { $ref: '#/components/schemas/Problem' },
      ...(example && { example }),
    },
  },
});

const noStore = {
  'Cache-Control': { description: 'Always `no-store`', schema: { type: 'string', const: 'no-store' } },
};

const query = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const window = [
  query('from', 'Start of the window (RFC 3339 date or date-time, inclusive, rounded down to the minute)', {
    type: 'string',
    format: 'date-time',
  }),
  query('to', 'End of the window (exclusive, rounded up to the minute); default now', {
    type: 'string',
    format: 'date-time',
  }),
];

const count = {
  requests: {
    type: 'integer',
    description: 'Requests (estimated from the sample when `usage.sample_rate` < 1)',
  },
  latency_ms_avg: { type: ['number', 'null'], description: 'Mean time in the gateway, ms' },
  latency_ms_max: { type: ['number', 'null'] },
};

const reportSchema: Json = {
  type: 'object',
  required: [
    'user_id',
    'api_key_id',
    'from',
    'to',
    'interval',
    'totals',
    'by_route',
    'by_status',
    'by_key',
    'series',
  ],
  properties: {
    user_id: { type: ['string', 'null'], description: 'Whose usage (null: an admin asked by API key only)' },
    api_key_id: { type: ['string', 'null'] },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    interval: { type: 'string', enum: ['day', 'minute'] },
    totals: { type: 'object', required: ['requests', 'latency_ms_avg', 'latency_ms_max'], properties: count },
    by_route: {
      type: 'array',
      description: 'Per route template and method, most used first (at most 200)',
      items: {
        type: 'object',
        required: ['route', 'method', 'requests', 'latency_ms_avg', 'latency_ms_max'],
        properties: { route: { type: 'string' }, method: { type: 'string' }, ...count },
      },
    },
    by_status: {
      type: 'array',
      items: {
        type: 'object',
        required: ['status', 'requests'],
        properties: { status: { type: 'integer' }, requests: { type: 'integer' } },
      },
    },
    by_key: {
      type: 'array',
      description: 'Per API key (null: signed-in requests), most used first (at most 200)',
      items: {
        type: 'object',
        required: ['api_key_id', 'requests'],
        properties: { api_key_id: { type: ['string', 'null'] }, requests: { type: 'integer' } },
      },
    },
    series: {
      type: 'array',
      description: 'Requests per day or per minute (`interval`), oldest first; empty buckets left out',
      items: {
        type: 'object',
        required: ['at', 'requests'],
        properties: { at: { type: 'string', format: 'date-time' }, requests: { type: 'integer' } },
      },
    },
  },
};

const reportExample: Json = {
  user_id: '0b8f3c1e-7f35-4c52-9d0e-2f6b4f0a9c11',
  api_key_id: '5f2e9a40-1c3b-4d7e-8a6f-0e9d2c4b1a37',
  from: '2026-12-01T00:00:00.000Z',
  to: '2026-12-08T00:00:00.000Z',
  interval: 'day',
  totals: { requests: 7, latency_ms_avg: 3.4, latency_ms_max: 9.8 },
  by_route: [
    { route: '/api/v1/tasks/{id}', method: 'GET', requests: 4, latency_ms_avg: 3.1, latency_ms_max: 6.2 },
    { route: '/api/v1/tasks', method: 'GET', requests: 3, latency_ms_avg: 3.8, latency_ms_max: 9.8 },
  ],
  by_status: [
    { status: 200, requests: 5 },
    { status: 404, requests: 2 },
  ],
  by_key: [{ api_key_id: '5f2e9a40-1c3b-4d7e-8a6f-0e9d2c4b1a37', requests: 7 }],
  series: [{ at: '2026-12-06T00:00:00.000Z', requests: 7 }],
};

function reportOperation(permission: string): Json {
  return {
    operationId: 'get_usage',
    summary: 'Your API usage: totals, by route, status, API key and day or minute',
    description: `Requests the gateway answered for the caller (their own sign-ins and API keys), rolled up per minute. Without \`user_id\` or \`api_key_id\` the caller's own usage; a caller with \`${permission}\` (admins) may name anyone's. Naming another user or another user's key without it is a 404, as if it did not exist. Recorded requests appear after the gateways' next flush (\`usage.flush_interval\`, default 1 s). Signed-in users only: API keys are refused (403).`,
    tags: ['usage'],
    parameters: [
      ...window,
      query(
        'interval',
        'The `series` buckets; `minute` windows span at most one day (default: the last hour)',
        {
          type: 'string',
          enum: ['day', 'minute'],
          default: 'day',
        },
      ),
      query('route', 'Only this route template (as listed in `by_route`)', { type: 'string', pattern: '^/' }),
      query('status', 'Only this HTTP status', { type: 'integer', minimum: 100, maximum: 599 }),
      query('key', 'Only this API key of yours (same as `api_key_id`)'),
      query('api_key_id', "Only this API key (another user's: admins)"),
      query('user_id', "This user's usage (another user's: admins)"),
    ],
    responses: {
      '200': {
        description: 'The usage in the window',
        headers: noStore,
        content: { 'application/json': { schema: reportSchema, example: reportExample } },
      },
      '404': problem("Another user's usage (without the permission)", {
        type: '/problems/not_found',
        title: 'Not found',
        status: 404,
        code: 'not_found',
        detail: 'No usage of yours under this user or API key',
        instance: '/api/v1/usage',
        request_id: '01JEXAMPLE0000000000000000',
      }),
      '422': problem('A query parameter is invalid; `errors` names it', {
        type: '/problems/validation_failed',
        title: 'Validation failed',
        status: 422,
        code: 'validation_failed',
        detail: '1 field is invalid',
        errors: [
          { field: 'status', code: 'out_of_range', message: 'must be an HTTP status from 100 to 599' },
        ],
        instance: '/api/v1/usage',
        request_id: '01JEXAMPLE0000000000000000',
      }),
      '503': problem('This gateway has no usage store', undefined),
    },
  };
}

function deprecatedOperation(): Json {
  return {
    operationId: 'list_deprecated_callers',
    summary: 'Who still calls deprecated routes (admins)',
    description:
      'Each (route, method, user, API key) that called a route marked `deprecated:` in portico.yaml within the window, most recent first (at most 1000), with its request count and the last minute seen. Default window: the last 30 days.',
    tags: ['usage'],
    parameters: window,
    responses: {
      '200': {
        description: 'The callers',
        headers: noStore,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['from', 'to', 'data'],
              properties: {
                from: { type: 'string', format: 'date-time' },
                to: { type: 'string', format: 'date-time' },
                data: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['route', 'method', 'user_id', 'api_key_id', 'requests', 'last_seen'],
                    properties: {
                      route: { type: 'string' },
                      method: { type: 'string' },
                      user_id: { type: ['string', 'null'], description: 'null: anonymous callers' },
                      api_key_id: { type: ['string', 'null'] },
                      requests: { type: 'integer' },
                      last_seen: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            },
            example: {
              from: '2026-11-06T00:00:00.000Z',
              to: '2026-12-06T05:31:00.000Z',
              data: [
                {
                  route: '/api/v1/tasks',
                  method: 'GET',
                  user_id: '0b8f3c1e-7f35-4c52-9d0e-2f6b4f0a9c11',
                  api_key_id: null,
                  requests: 12,
                  last_seen: '2026-12-06T05:30:00.000Z',
                },
              ],
            },
          },
        },
      },
      '422': problem('`from` or `to` is invalid; `errors` names it'),
      '503': problem('This gateway has no usage store'),
    },
  };
}

export function usageOperation(name: string | undefined, permission: string): Json {
  return name === USAGE.deprecated ? deprecatedOperation() : reportOperation(permission);
}
