/** `POST /api/v1/ws-tickets` in the merged OpenAPI document. */
type Json = Record<string, unknown>;

export function ticketOperation(ttlMs: number): Json {
  return {
    operationId: 'create_ws_ticket',
    summary: 'A single-use ticket to open a WebSocket without headers (browsers)',
    description: `Open a WebSocket route with \`?ticket=<ticket>\` within ${ttlMs / 1000} s, from the same client address. The ticket stands for the credential that asked for it (revocation included) and works once.`,
    tags: ['gateway'],
    responses: {
      '201': {
        description: 'The ticket',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['ticket', 'expires_at'],
              properties: {
                ticket: {
                  type: 'string',
                  pattern: '^[A-Za-z0-9_-]{43}$',
                  examples: ['kq3VZ0n9cJ1o8GXb4yQW2mT7aLr5sUe6dHf0pNiBxCg'],
                },
                expires_at: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
    },
  };
}
