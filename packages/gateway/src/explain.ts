/**
 * `portico explain METHOD URL [-H 'Name: value']`: what the gateway would do with a request,
 * step by step in the order the request path runs them, without sending anything. Tokens are
 * decoded but not verified (the signature check needs identity's keys at run time; the
 * explanation says so).
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { compile, type CompiledRoute } from './config/compile.ts';
import { InstanceRegistry } from './upstream/service.ts';
import { GatewayMetrics } from './observe/metrics.ts';
import { permissionsForRoles, permissionScope } from '@portico/kit';
import { API_KEY_PREFIX, TOKEN_ALGORITHMS, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@portico/contracts';
import type { GatewayConfig } from './config/types.ts';

export type Decision = 'pass' | 'deny' | 'skip' | 'info';

export interface ExplainStep {
  step: string;
  decision: Decision;
  detail: string;
}

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

const OWN = new Set(['/health', '/health/live', '/health/ready', '/openapi.json', '/metrics', '/docs']);

function describeLimit(route: CompiledRoute, claims: { sub?: string; apiKey?: boolean }): string[] {
  return route.rateLimits.map((p) => {
    const dims = p.by
      .map((d) => {
        if (d === 'caller')
          return claims.apiKey
            ? 'caller (the API key)'
            : claims.sub
              ? `caller (user ${claims.sub})`
              : 'caller (client IP: anonymous)';
        if (d === 'user') return claims.sub ? `user ${claims.sub}` : 'user (client IP: anonymous)';
        return d === 'route' ? `route "${route.label}"` : d;
      })
      .join(' + ');
    return `${p.name}: ${p.limit} per ${p.windowMs / 1000} s, keyed by ${dims}; store down → fail ${p.failMode}`;
  });
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
  const parsed = new URL(url, 'http://gateway.local');
  const path = parsed.pathname;
  const steps: ExplainStep[] = [];
  const out = (outcome: string, route: Explanation['route'] = null): Explanation => ({
    method,
    url,
    route,
    steps,
    outcome,
  });
  const registry = new InstanceRegistry();
  const rt = compile(config, registry, new GatewayMetrics());
  void registry.closeAll();

  const rid = h['x-request-id'];
  steps.push({
    step: 'request id',
    decision: 'info',
    detail:
      rid && /^[A-Za-z0-9._:-]{8,128}$/.test(rid)
        ? `keeps X-Request-Id ${rid}`
        : 'generates a new X-Request-Id (UUIDv7)',
  });
  steps.push({
    step: 'trace context',
    decision: 'info',
    detail: h.traceparent
      ? 'continues the incoming traceparent with a new span'
      : 'starts a new trace (traceparent)',
  });
  if (OWN.has(path) || path.startsWith('/docs/')) {
    steps.push({ step: 'route', decision: 'pass', detail: `${path} is one of the gateway's own routes` });
    return out(`answered by the gateway itself (${path})`);
  }
  const m = rt.router.match(method, path);
  if (m.kind === 'not_found') {
    steps.push({ step: 'route', decision: 'deny', detail: `no route matches ${path}` });
    return out('404 not_found');
  }
  if (m.kind === 'method_not_allowed') {
    steps.push({
      step: 'route',
      decision: 'deny',
      detail: `${path} exists but not for ${method}; Allow: ${m.allow}`,
    });
    return out('405 method_not_allowed');
  }
  const route = m.route;
  const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]!);
  const params = Object.fromEntries(names.map((n, i) => [n, m.params[i] ?? '']));
  const info: Explanation['route'] = {
    name: route.label,
    template: route.template,
    kind: route.isPrefix ? 'prefix' : 'path',
    service: route.service,
    params,
  };
  steps.push({
    step: 'route',
    decision: 'pass',
    detail: `routes[${route.index}] "${route.label}" (${route.isPrefix ? 'prefix' : 'path'} ${route.template}) → service ${route.service}`,
  });

  if (route.deprecation) {
    const sunset = route.deprecation.sunsetAt;
    if (sunset !== null && Date.now() >= sunset) {
      steps.push({
        step: 'deprecation',
        decision: 'deny',
        detail: `sunset passed on ${new Date(sunset).toISOString()}`,
      });
      return out('410 gone', info);
    }
    steps.push({
      step: 'deprecation',
      decision: 'info',
      detail: `adds ${route.deprecation.headers.map(([k, v]) => `${k}: ${v}`).join('; ')}`,
    });
  }
  if (route.cors) {
    const origin = h.origin;
    const ok = origin !== undefined && (route.cors.any || route.cors.origins.has(origin));
    steps.push({
      step: 'cors',
      decision: origin === undefined ? 'skip' : ok ? 'pass' : 'info',
      detail:
        origin === undefined
          ? 'no Origin header'
          : ok
            ? `origin ${origin} allowed`
            : `origin ${origin} not allowed: no CORS headers`,
    });
  }
  const length = Number(h['content-length'] ?? 0);
  if (length > route.bodyLimit) {
    steps.push({
      step: 'body limit',
      decision: 'deny',
      detail: `Content-Length ${length} > ${route.bodyLimit} bytes`,
    });
    return out('413 payload_too_large', info);
  }
  steps.push({ step: 'body limit', decision: 'pass', detail: `up to ${route.bodyLimit} bytes` });

  // Authentication
  let roles: string[] = [];
  let permissions: string[] = [];
  let sub: string | undefined;
  let apiKey = false;
  const auth = h.authorization;
  const keyHeader = h[rt.apiKeyHeader];
  const bearer = auth && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
  if (route.auth === 'none') {
    steps.push({ step: 'authentication', decision: 'skip', detail: 'auth: none (the caller is anonymous)' });
  } else if (bearer === undefined && !keyHeader) {
    if (auth) {
      steps.push({
        step: 'authentication',
        decision: 'deny',
        detail: 'Authorization is not a Bearer credential',
      });
      return out('401 unauthenticated', info);
    }
    if (route.auth === 'required' || route.permission) {
      steps.push({
        step: 'authentication',
        decision: 'deny',
        detail: 'auth: required and no credential: 401 with WWW-Authenticate: Bearer',
      });
      return out('401 unauthenticated', info);
    }
    steps.push({
      step: 'authentication',
      decision: 'pass',
      detail: 'auth: optional, no credential: anonymous',
    });
  } else if ((bearer ?? '').startsWith(API_KEY_PREFIX) || (bearer === undefined && keyHeader)) {
    apiKey = true;
    steps.push({
      step: 'authentication',
      decision: 'info',
      detail: `API key: verified by ${rt.identityService} (POST /internal/api-keys/verify), cached briefly; scopes become the permissions`,
    });
  } else {
    try {
      const header = decodeProtectedHeader(bearer!);
      const claims = decodeJwt(bearer!);
      const problems: string[] = [];
      if (!(TOKEN_ALGORITHMS as readonly string[]).includes(String(header.alg)))
        problems.push(`alg ${String(header.alg)} not in ${TOKEN_ALGORITHMS.join(', ')}`);
      if (claims.iss !== TOKEN_ISSUER) problems.push(`iss ${String(claims.iss)} ≠ ${TOKEN_ISSUER}`);
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(TOKEN_AUDIENCE)) problems.push(`aud does not include ${TOKEN_AUDIENCE}`);
      if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) problems.push('expired');
      if (problems.length) {
        steps.push({
          step: 'authentication',
          decision: 'deny',
          detail: `JWT rejected: ${problems.join('; ')}`,
        });
        return out('401 invalid_token', info);
      }
      sub = claims.sub;
      roles = Array.isArray(claims.roles) ? (claims.roles as string[]) : [];
      permissions = permissionsForRoles(roles);
      steps.push({
        step: 'authentication',
        decision: 'pass',
        detail: `JWT (${String(header.alg)}, kid ${String(header.kid ?? '-')}) for user ${sub} roles [${roles.join(', ')}], expires ${new Date(claims.exp! * 1000).toISOString()}; signature checked against ${rt.identityService}${rt.jwksPath} at run time (not by explain); denylist checked for sid/jti/user`,
      });
    } catch {
      steps.push({ step: 'authentication', decision: 'deny', detail: 'the bearer token is not a JWT' });
      return out('401 invalid_token', info);
    }
  }

  if (route.permission) {
    if (apiKey) {
      steps.push({
        step: 'authorization',
        decision: 'info',
        detail: `requires ${route.permission}: checked against the key's scopes`,
      });
    } else if (sub === undefined) {
      steps.push({
        step: 'authorization',
        decision: 'deny',
        detail: `requires ${route.permission}; anonymous callers have none`,
      });
      return out('401 unauthenticated', info);
    } else {
      const scope = permissionScope(permissions, route.permission);
      if (scope === false) {
        steps.push({
          step: 'authorization',
          decision: 'deny',
          detail: `requires ${route.permission}; roles [${roles.join(', ')}] do not grant it (access.denied is published)`,
        });
        return out('403 forbidden', info);
      }
      steps.push({
        step: 'authorization',
        decision: 'pass',
        detail: `requires ${route.permission}: granted (${scope === 'own' ? 'own records only: the service enforces ownership' : 'all records'})`,
      });
    }
  } else steps.push({ step: 'authorization', decision: 'skip', detail: 'no permission on this route' });

  if (route.rateLimits.length)
    for (const line of describeLimit(route, { ...(sub !== undefined && { sub }), apiKey }))
      steps.push({ step: 'rate limit', decision: 'info', detail: line });
  else steps.push({ step: 'rate limit', decision: 'skip', detail: 'no rate-limit policy' });

  const key = h['idempotency-key'];
  if (method === 'POST' && route.idempotency && key)
    steps.push({
      step: 'idempotency',
      decision: 'info',
      detail: `Idempotency-Key "${key}" scoped to the caller: replays a stored answer, 409 while in flight, 422 with a different body; retries allowed`,
    });
  else if (method === 'POST')
    steps.push({
      step: 'idempotency',
      decision: 'skip',
      detail: route.idempotency
        ? 'no Idempotency-Key: the request is never retried'
        : 'idempotency disabled on this route',
    });

  const svc = rt.services.get(route.service)!;
  const target = route.target(path, m.params) + parsed.search;
  const t = route.timeouts;
  steps.push({
    step: 'upstream',
    decision: 'pass',
    detail: `${method} ${target} on ${route.service} (${svc.settings.balancing}, instances ${svc.instances.map((i) => i.origin).join(', ')}) with a passport for ${route.service}; timeouts connect ${t.connectMs} ms, first byte ${t.firstByteMs} ms, total ${t.totalMs} ms, idle ${t.idleMs} ms; ${route.retry ? `up to ${route.retry.retries} retries for idempotent requests` : 'no retries'}; breaker opens after ${svc.settings.breakerFailures} failures for ${svc.settings.breakerCooldownMs} ms`,
  });
  return out(`forward ${method} ${target} to ${route.service}`, info);
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
