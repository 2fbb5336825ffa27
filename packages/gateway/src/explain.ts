/**
 * `portico explain METHOD URL [-H 'Name: value']`: what the gateway would do with a request,
 * without sending anything. It walks the gateway's own step list (`pipeline/steps.ts`), each
 * step describing itself, so the explanation follows the request path by construction. Tokens
 * are decoded but not verified (the signature check needs identity's keys at run time; the
 * explanation says so).
 */
import { compile } from './config/compile.ts';
import { InstanceRegistry } from './upstream/service.ts';
import { GatewayMetrics } from './observe/metrics.ts';
import { STEPS } from './pipeline/steps.ts';
import type { Decision, ExplainStep, Probe } from './pipeline/step.ts';
import type { GatewayConfig } from './config/schema.ts';

export type { Decision, ExplainStep } from './pipeline/step.ts';

export interface Explanation {
  method: string;
  url: string;
  route: {
    name: string;
    template: string;
    kind: 'path' | 'prefix';
    service: string;
    params: Record<string, string>;
  } | null;
  steps: ExplainStep[];
  /** What the client would get: `forward …` or the status and problem code. */
  outcome: string;
}

/** The path and query as the gateway sees them: not normalised (`..` stays, so it is refused). */
function target(url: string): { path: string; query: string } {
  if (!url.startsWith('/')) {
    const u = new URL(url, 'http://gateway.local');
    return { path: u.pathname, query: u.search };
  }
  const raw = url.split('#')[0]!;
  const q = raw.indexOf('?');
  return q === -1 ? { path: raw, query: '' } : { path: raw.slice(0, q), query: raw.slice(q) };
}

/**
 * Explains a request against a config.
 *
 * @example
 *   const e = explain(config, 'GET', '/api/v1/orders/42', { authorization: 'Bearer eyJ…' });
 *   console.log(formatExplanation(e));
 */
export function explain(
  config: GatewayConfig,
  method: string,
  url: string,
  headers: Record<string, string> = {},
): Explanation {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  method = method.toUpperCase();
  const registry = new InstanceRegistry();
  const rt = compile(config, registry, new GatewayMetrics());
  void registry.closeAll();
  const steps: ExplainStep[] = [];
  const probe: Probe = {
    rt,
    method,
    ...target(url),
    headers: h,
    route: null,
    params: [],
    caller: { roles: [], permissions: [], apiKey: false },
    note: (step, decision, detail) => void steps.push({ step, decision, detail }),
  };
  let outcome = 'no answer';
  for (const step of STEPS) {
    const stop = step.describe(probe);
    if (stop !== undefined) {
      outcome = stop;
      break;
    }
  }
  const route = probe.route;
  let info: Explanation['route'] = null;
  if (route !== null) {
    const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!);
    info = {
      name: route.label,
      template: route.template,
      kind: route.isPrefix ? 'prefix' : 'path',
      service: route.service,
      params: Object.fromEntries(names.map((n, i) => [n, probe.params[i] ?? ''])),
    };
  }
  return { method, url, route: info, steps, outcome };
}

const MARK: Record<Decision, string> = { pass: '✓', deny: '✗', skip: '-', info: '•' };

export function formatExplanation(e: Explanation): string {
  const lines = [`${e.method} ${e.url}`];
  if (e.route)
    lines.push(
      `  route: ${e.route.name} → ${e.route.service}${Object.keys(e.route.params).length ? ` ${JSON.stringify(e.route.params)}` : ''}`,
    );
  e.steps.forEach((s, i) =>
    lines.push(`  ${String(i + 1).padStart(2)}. ${MARK[s.decision]} ${s.step}: ${s.detail}`),
  );
  lines.push(`  outcome: ${e.outcome}`);
  return lines.join('\n');
}
