/** The batch endpoint in the merged OpenAPI document (`own/openapi.ts` adds it to the batch route). */
import { BATCH_METHODS } from './operations.ts';

type Json = Record<string, unknown>;

export function batchOperation(maxOperations: number): Json {
  return {
    operationId: 'batch',
    summary: 'Run several operations in one request',
    description:
      'Each operation runs through every gateway policy of its own route (authentication with this ' +
      "request's credentials, API-key scope, permission, rate limits, idempotency) as if sent alone, " +
      'in order. The answer lists each operation’s status, headers and body in the same order. With an ' +
      '`Idempotency-Key` the whole batch is stored and replayed. Operations cannot set credentials or ' +
      'framing headers, name the batch endpoint (no nested batch) or the gateway’s own routes.',
    tags: ['gateway'],
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,255}$' },
        description: 'Replays the whole batch with the same body (24 h)',
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            additionalProperties: false,
            required: ['operations'],
            properties: {
              operations: {
                type: 'array',
                minItems: 1,
                maxItems: maxOperations,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['method', 'path'],
                  properties: {
                    method: { type: 'string', enum: [...BATCH_METHODS] },
                    path: {
                      type: 'string',
                      pattern: '^/',
                      examples: ['/api/v1/tasks'],
                      description: 'Path and query, e.g. /api/v1/tasks?limit=5',
                    },
                    headers: { type: 'object', additionalProperties: { type: 'string' } },
                    body: { description: 'Any JSON value, sent as application/json' },
                  },
                },
              },
            },
          },
        },
      },
    },
    responses: {
      '200': {
        description: 'Every operation’s answer, in order (each may be a problem of its own)',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['results'],
              properties: {
                results: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['status', 'headers', 'body'],
                    properties: {
                      status: { type: 'integer' },
                      headers: {
                        type: 'object',
                        additionalProperties: {
                          oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
                        },
                      },
                      body: { description: 'JSON bodies parsed, text as a string, anything else base64' },
                      body_encoding: { type: 'string', enum: ['base64'] },
                    },
                  },
                },
              },
            },
          },
        },
      },
      '415': {
        description: 'The body is not JSON',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  };
}
