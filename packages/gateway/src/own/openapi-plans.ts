/**
 * `/openapi.json` on consumer plans (docs/plans.md): every operation an authenticated consumer
 * can call lists the plans it is held to (`x-portico-plans`) and its 429 names the plan's
 * refusals (`rate_limited`, `quota_exceeded`, `concurrency_limited`).
 */
import type { CompiledRoute } from '../config/compile.ts';
import type { Plans } from '../limits/plans.ts';

type Json = Record<string, unknown>;

export function planList(plans: Plans): Json[] {
  return [...plans.byName.values()].map((p) => ({
    name: p.name,
    ...(p.description !== null && { description: p.description }),
    default: p === plans.default,
    rate: p.rate && { limit: p.rate.limit, window_seconds: p.rate.windowMs / 1000, algorithm: 'gcra' },
    monthly_quota: p.quota,
    concurrency: p.concurrency,
  }));
}

/** `op` with the plans (a copy), or `op` itself when no plan applies to the route. */
export function withPlans(op: Json, route: CompiledRoute, plans: Plans, list: Json[]): Json {
  if (plans.byName.size === 0 || route.auth === 'none' || route.kind === 'batch') return op;
  const responses = { ...((op.responses as Json | undefined) ?? {}) };
  const previous = responses['429'] as Json | undefined;
  responses['429'] = {
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    ...previous,
    description:
      `${previous ? `${String(previous.description)}; or` : ''} the consumer's plan: ` +
      '`rate_limited` past its rate, `quota_exceeded` past its monthly quota (Retry-After: the month’s end), ' +
      '`concurrency_limited` past its requests in flight',
    headers: {
      ...((previous?.headers as Json | undefined) ?? {}),
      'Retry-After': { schema: { type: 'integer' } },
      RateLimit: {
        schema: { type: 'string' },
        description: 'IETF draft RateLimit field (the plan’s items too)',
      },
      'RateLimit-Policy': {
        schema: { type: 'string' },
        description:
          'IETF draft RateLimit-Policy field: the route’s policies and `"<plan>/rate"`, `"<plan>/quota"`',
      },
    },
  };
  return { ...op, responses, 'x-portico-plans': list };
}
