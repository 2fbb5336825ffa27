/** The JSON Schema of an RFC 9457 problem body, for OpenAPI documents (services' and the gateway's). */
export const problemJsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri-reference', examples: ['/problems/rate_limited'] },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    request_id: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          field: { type: 'string', examples: ['title'] },
          code: { type: 'string', examples: ['too_short'] },
          message: { type: 'string' },
          allowed: { type: 'array', description: 'For `not_allowed`: the values the field accepts' },
        },
      },
    },
    // Extension members (RFC 9457 §3.2) some codes carry; each is named here so the document
    // states every field an answer can hold.
    mfa_token: {
      type: 'string',
      description: '`mfa_required`, `mfa_enrollment_required`: the challenge to answer',
    },
    expires_in: { type: 'integer', description: 'Seconds the `mfa_token` stays valid' },
    factors: { type: 'array', items: { type: 'string' }, description: 'The second factors accepted' },
    order_id: { type: 'string', description: 'The order a cart became (orders)' },
    current_status: { type: 'string', description: 'The state that forbids the transition' },
    conflicting_absence_id: { type: 'string', description: 'The absence that overlaps (staff)' },
  },
} as const;
