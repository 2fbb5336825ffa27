/** `GET` and `POST <graphql path>` in the merged OpenAPI document (`own/openapi.ts` adds them). */
import type { GraphqlSettings } from '../config/compile.ts';

type Json = Record<string, unknown>;

const EXAMPLE_QUERY =
  'query Orders($first: Int!) { viewer { orders(first: $first) { id status total { amount currency } shipment { status tracking { history { status at } } } } } }';

const RESULT = {
  type: 'object',
  properties: {
    data: { type: ['object', 'null'], description: 'The fields asked for; a field that failed is null' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          message: { type: 'string' },
          path: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
          locations: {
            type: 'array',
            items: { type: 'object', properties: { line: { type: 'integer' }, column: { type: 'integer' } } },
          },
          extensions: {
            type: 'object',
            description:
              "`code`: the REST route's problem code (`not_found`, `forbidden`, `unauthenticated`…) with its `status`, or the refusal's (`query_too_deep`, `too_many_aliases`, `query_too_costly`, `graphql_parse_failed`, `graphql_validation_failed`)",
            properties: { code: { type: 'string' }, status: { type: 'integer' } },
            // GraphQL's `extensions` is an open map (the spec): a refusal adds its figures.
            additionalProperties: true,
          },
        },
      },
    },
    extensions: {
      type: 'object',
      properties: {
        cost: { type: 'integer', description: 'What the rate limits counted for this query' },
        upstream_calls: { type: 'integer', description: 'REST calls the resolvers made' },
      },
      additionalProperties: true,
    },
  },
};

const OK_EXAMPLE = {
  data: {
    viewer: {
      orders: [
        {
          id: '01J9ZK3M2Q4R5S6T7V8W9X0Y1Z',
          status: 'confirmed',
          total: { amount: 240000, currency: 'KES' },
          shipment: {
            status: 'in_transit',
            tracking: {
              history: [
                { status: 'pending', at: '2026-12-01T09:00:00.000Z' },
                { status: 'in_transit', at: '2026-12-01T15:30:00.000Z' },
              ],
            },
          },
        },
      ],
    },
  },
  extensions: { cost: 41, upstream_calls: 2 },
};

function responses(g: GraphqlSettings): Json {
  const json = (schema: Json, examples: Json) => ({
    'application/json': { schema, examples },
    'application/graphql-response+json': { schema, examples },
  });
  return {
    '200': {
      description:
        'The result: `data`, and `errors` for fields whose REST call was refused or failed (with the problem’s `code` in `extensions.code`). With `application/json`, also a query refused before running (`errors` without `data`, e.g. `query_too_deep`).',
      headers: {
        RateLimit: { schema: { type: 'string' }, description: 'Remaining after counting this query’s cost' },
        'RateLimit-Policy': { schema: { type: 'string' } },
      },
      content: {
        ...json(RESULT, {
          orders: { value: OK_EXAMPLE },
          partial: {
            value: {
              data: { order: null },
              errors: [
                {
                  message: 'Order not found',
                  path: ['order'],
                  extensions: { code: 'not_found', status: 404, path: '/api/v1/orders/01J9…' },
                },
              ],
              extensions: { cost: 1, upstream_calls: 1 },
            },
          },
        }),
        'text/html': {
          schema: { type: 'string' },
          description:
            'GET with Accept: text/html and no query: the GraphiQL page (served by the gateway, no CDN)',
        },
      },
    },
    '400': {
      description: `With \`Accept: application/graphql-response+json\`: the query was refused before running — syntax, validation, or over a limit (depth ${g.maxDepth}, aliases ${g.maxAliases}, cost ${g.maxCost}); \`errors\`, no \`data\`. With \`application/json\` the same refusal is a 200 (GraphQL over HTTP). A malformed request line, path or encoding: a problem.`,
      content: {
        'application/graphql-response+json': {
          schema: RESULT,
          examples: {
            too_deep: {
              value: {
                errors: [
                  {
                    message: `The query is 15 levels deep; at most ${g.maxDepth} are allowed`,
                    extensions: { code: 'query_too_deep', depth: 15, max_depth: g.maxDepth },
                  },
                ],
                extensions: { cost: 8, depth: 15 },
              },
            },
          },
        },
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      },
    },
    '415': {
      description: 'A POST whose body is not application/json',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    },
    '422': {
      description: 'No `query`, or `variables`/`operationName` of the wrong type; `errors` names the field',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    },
  };
}

const DESCRIPTION =
  'Read-only GraphQL over the services (docs/graphql.md): viewer → orders → items, shipment → tracking; ' +
  'student → enrollments → course and grade, account, invoices → payments; task → category, assignee. ' +
  "Every field is read through the REST routes with this request's credentials, each call through that route's " +
  'authentication, API-key scope and permission, so a query never sees more than REST. Per request, calls are ' +
  'batched (DataLoader): 20 orders with their shipments and tracking cost 2 REST calls. The rate limits count ' +
  'each query by its cost (`extensions.cost`), not as one request.';

export function graphqlOperations(g: GraphqlSettings): { get: Json; post: Json } {
  const post: Json = {
    operationId: 'graphql',
    summary: 'Run a GraphQL query',
    description: DESCRIPTION,
    tags: ['gateway'],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['query'],
            properties: {
              query: { type: 'string', description: 'The GraphQL document' },
              variables: { type: ['object', 'null'] },
              operationName: { type: ['string', 'null'] },
              extensions: { type: ['object', 'null'] },
            },
            additionalProperties: false,
          },
          examples: { orders: { value: { query: EXAMPLE_QUERY, variables: { first: 20 } } } },
        },
      },
    },
    responses: responses(g),
  };
  const get: Json = {
    operationId: 'graphql_get',
    summary: 'Run a GraphQL query from the query string, or open GraphiQL',
    description: `${DESCRIPTION} With \`Accept: text/html\` and no \`query\`, the GraphiQL page.`,
    tags: ['gateway'],
    parameters: [
      {
        name: 'query',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        example: '{ viewer { orders(first: 5) { id status } } }',
      },
      {
        name: 'variables',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        description: 'A JSON object',
      },
      { name: 'operationName', in: 'query', required: false, schema: { type: 'string' } },
    ],
    responses: responses(g),
  };
  return { get, post };
}
