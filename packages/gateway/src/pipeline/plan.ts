/**
 * Plans: an authenticated consumer (API key, or user signed in with a token) is held to its
 * plan's monthly quota, concurrency cap and rate (limits/plans.ts), counted in the store in one
 * atomic step. The plan's policies join the route's in `RateLimit-Policy` / `RateLimit`; over
 * the quota is a 429 `quota_exceeded` whose `Retry-After` is the start of the next month, over
 * the cap a 429 `concurrency_limited`, over the rate a 429 `rate_limited`. A store that cannot
 * answer lets the request through (plans fail open; the route's own policies keep their modes).
 */
import type { ServerResponse } from 'node:http';
import { HANDLED, type Step, type StepResult } from './step.ts';
import { monthOf, planFor, planRequest, type CompiledPlan, type PlanVerdict } from '../limits/plans.ts';
import type { RequestContext } from './context.ts';

/** Adds `item` to the header `name` the route's rate limits may already have set. */
function appendHeader(ctx: RequestContext, name: string, item: string): void {
  for (const h of ctx.headers)
    if (h[0] === name) {
      h[1] = `${h[1]}, ${item}`;
      return;
    }
  ctx.headers.push([name, item]);
}

function holdUntilAnswered(ctx: RequestContext, key: string): void {
  const release = (): void => {
    try {
      const r = ctx.gw.store.planRelease(key);
      if (r instanceof Promise) r.catch((err: unknown) => ctx.gw.log.warn({ err }, 'plan release failed'));
    } catch (err) {
      ctx.gw.log.warn({ err }, 'plan release failed');
    }
  };
  // A batch operation answers into memory (batch/exchange.ts): it is over when `done` settles.
  const res = ctx.res as ServerResponse & { done?: Promise<unknown> };
  if (res.done instanceof Promise) void res.done.then(release, release);
  else res.once('close', release);
}

function decided(
  ctx: RequestContext,
  plan: CompiledPlan,
  v: PlanVerdict,
  now: number,
  held: string | null,
): StepResult {
  const month = monthOf(now);
  const monthLeft = Math.max(1, Math.ceil((month.endMs - now) / 1000));
  if (plan.rate !== null) {
    appendHeader(ctx, 'ratelimit-policy', plan.rateItem!);
    appendHeader(
      ctx,
      'ratelimit',
      `"${plan.name}/rate";r=${v.rateRemaining};t=${Math.ceil(v.rateResetMs / 1000)}`,
    );
  }
  if (plan.quota !== null) {
    appendHeader(
      ctx,
      'ratelimit-policy',
      `"${plan.name}/quota";q=${plan.quota};w=${Math.round((month.endMs - month.startMs) / 1000)}`,
    );
    appendHeader(
      ctx,
      'ratelimit',
      `"${plan.name}/quota";r=${Math.max(0, plan.quota - v.quotaUsed)};t=${monthLeft}`,
    );
  }
  switch (v.outcome) {
    case 'ok':
      if (held !== null) holdUntilAnswered(ctx, held);
      return undefined;
    case 'quota':
      ctx.headers.push(['retry-after', String(monthLeft)]);
      ctx.problem(
        'quota_exceeded',
        `The ${plan.quota} requests a month of the "${plan.name}" plan are used; the quota resets at ${new Date(month.endMs).toISOString()}`,
      );
      return HANDLED;
    case 'concurrency':
      ctx.headers.push(['retry-after', '1']);
      ctx.problem(
        'concurrency_limited',
        `The "${plan.name}" plan allows ${plan.concurrency} requests in flight at once`,
      );
      return HANDLED;
    case 'rate': {
      ctx.headers.push(['retry-after', String(Math.max(1, Math.ceil(v.rateResetMs / 1000)))]);
      const r = plan.rate!;
      ctx.problem(
        'rate_limited',
        `Rate limit of the "${plan.name}" plan exceeded: ${r.limit} requests per ${r.windowMs / 1000} s`,
      );
      return HANDLED;
    }
  }
}

export const plan: Step = {
  name: 'plan',
  run(ctx) {
    const plans = ctx.rt.plans;
    const scope = ctx.principal.scope;
    // Anonymous callers have no plan; a batch counts through its operations; a WebSocket
    // handshake is held to its connection cap (websocket.ts).
    if (scope === null || plans.byName.size === 0 || ctx.upgrade !== null || ctx.route!.kind === 'batch')
      return undefined;
    const p = planFor(plans, ctx.principal.caller.plan);
    if (p === null) return undefined;
    const now = Date.now();
    const request = planRequest(p, scope, now);
    const held = request.concurrencyKey;
    const open = (err: unknown): StepResult => {
      ctx.gw.log.warn({ err }, 'plan not checked: the store cannot answer');
      return undefined;
    };
    try {
      const v = ctx.gw.store.planAcquire(request);
      return v instanceof Promise
        ? v.then((x) => decided(ctx, p, x, now, held), open)
        : decided(ctx, p, v, now, held);
    } catch (err) {
      return open(err);
    }
  },
  describe(p) {
    const plans = p.rt.plans;
    if (plans.byName.size === 0) {
      p.note('plan', 'skip', 'no plans configured');
      return undefined;
    }
    if (!p.caller.sub && !p.caller.apiKey) {
      p.note('plan', 'skip', 'anonymous callers have no plan');
      return undefined;
    }
    for (const plan of plans.byName.values())
      p.note(
        'plan',
        'info',
        `${plan.name}${plan === plans.default ? ' (default)' : ''}: ${describePlan(plan)}`,
      );
    return undefined;
  },
};

export function describePlan(plan: CompiledPlan): string {
  const parts: string[] = [];
  if (plan.rate) parts.push(`${plan.rate.limit} per ${plan.rate.windowMs / 1000} s (GCRA)`);
  if (plan.quota !== null) parts.push(`${plan.quota} a month`);
  if (plan.concurrency !== null) parts.push(`${plan.concurrency} in flight`);
  return parts.join(', ') || 'no limits';
}
