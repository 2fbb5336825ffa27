/**
 * Rate limits: every policy of the route counted for this caller (in memory, or in Redis with
 * a round trip); the `RateLimit` headers go on every answer; over a limit is a 429, and a store
 * that cannot answer is a 503 for policies that fail closed.
 */
import { HANDLED, type Step, type StepResult } from './step.ts';
import type { LimitDecision } from '../limits/rate-limit.ts';
import type { RequestContext } from './context.ts';

function decided(ctx: RequestContext, d: LimitDecision): StepResult {
  for (const h of d.headers) ctx.headers.push(h);
  if (d.kind === 'limited') {
    const p = d.policy;
    ctx.problem(
      'rate_limited',
      `Rate limit "${p.name}" exceeded: ${p.limit} requests per ${Math.ceil(p.windowMs / 1000)} s`,
    );
    return HANDLED;
  }
  if (d.kind === 'store_down') {
    ctx.headers.push(['retry-after', '1']);
    ctx.problem('service_unavailable', 'Rate limits cannot be checked right now');
    return HANDLED;
  }
  return undefined;
}

/** Counts the request against its route's policies `cost` times (a GraphQL query: its cost). */
export function countRateLimits(ctx: RequestContext, cost = 1): StepResult | Promise<StepResult> {
  const route = ctx.route!;
  if (route.rateLimits.length === 0) return undefined;
  const c = ctx.principal.caller;
  const d = ctx.gw.limiter.check(
    route.rateLimits,
    route.rateLimitPolicyHeader,
    {
      ip: ctx.ip,
      scope: ctx.principal.scope,
      userId: c.id,
      apiKeyId: c.apiKeyId ?? null,
      route: route.label,
    },
    cost,
  );
  return d instanceof Promise ? d.then((x) => decided(ctx, x)) : decided(ctx, d);
}

export const rateLimit: Step = {
  name: 'rate limit',
  run(ctx) {
    // A GraphQL query is counted by its cost once parsed (pipeline/graphql.ts); the REST calls
    // its resolvers make were paid for by that cost.
    if (ctx.route!.kind === 'graphql' || ctx.prepaid) return undefined;
    return countRateLimits(ctx);
  },
  describe(p) {
    const route = p.route!;
    if (route.kind === 'graphql' && route.rateLimits.length > 0)
      p.note(
        'rate limit',
        'info',
        'a GraphQL query counts its cost (docs/graphql.md), not 1, against these:',
      );
    if (route.rateLimits.length === 0) {
      p.note('rate limit', 'skip', 'no rate-limit policy');
      return undefined;
    }
    const { sub, apiKey } = p.caller;
    for (const policy of route.rateLimits) {
      const dims = policy.by
        .map((d) => {
          if (d === 'caller')
            return apiKey
              ? 'caller (the API key)'
              : sub
                ? `caller (user ${sub})`
                : 'caller (client IP: anonymous)';
          if (d === 'user') return sub ? `user ${sub}` : 'user (client IP: anonymous)';
          return d === 'route' ? `route "${route.label}"` : d;
        })
        .join(' + ');
      p.note(
        'rate limit',
        'info',
        `${policy.name}: ${policy.limit} per ${policy.windowMs / 1000} s, keyed by ${dims}; store down → fail ${policy.failMode}`,
      );
    }
    return undefined;
  },
};
