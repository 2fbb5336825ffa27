/**
 * What the gateway adds to each operation it routes in the aggregated document (own/openapi.ts):
 * its security, the answers every route can give (problem+json with their codes), the headers
 * every answer carries (request id, rate limits), and the public path with renamed parameters.
 */
import { REQUEST_ID_HEADER } from '@portico/kit';
import type { CompiledRoute } from '../config/compile.ts';

type Json = Record<string, unknown>;

function shape(template: string): string {
  return template.replace(/\{[^}]+\}/g, '{}');
}

function problemResponse(description: string, headers?: Json): Json {
  return {
    description,
    ...(headers && { headers }),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

const RL_HEADERS = {
  'X-RateLimit-Limit': { schema: { type: 'integer' }, description: 'Requests allowed in the window' },
  'X-RateLimit-Remaining': { schema: { type: 'integer' }, description: 'Requests left in the window' },
  'X-RateLimit-Reset': { schema: { type: 'integer' }, description: 'Seconds until the window resets' },
  RateLimit: { schema: { type: 'string' }, description: 'IETF draft RateLimit field' },
  'RateLimit-Policy': { schema: { type: 'string' }, description: 'IETF draft RateLimit-Policy field' },
};

function securityFor(route: CompiledRoute): Json[] {
  if (route.auth === 'none') return [];
  const schemes = [{ bearerAuth: [] }, { apiKey: [] }];
  return route.auth === 'optional' ? [{}, ...schemes] : schemes;
}

/**
 * The refusals every operation can give by the conventions (docs/api-conventions.md), declared
 * so a client (and the generated-input suite) can tell a documented answer from a surprise:
 * 400 for an unacceptable request line, 431 for headers over the limit, 403 for a permission or API-key scope, 404 for a record
 * that does not exist or is not the caller's, 413 for a body over the limit, 422 for input that
 * fails validation, 409 on writes for a taken unique value or a state that forbids the change.
 * A service's own declaration of the same status wins.
 */
function declareConventional(op: Json, responses: Json, route: CompiledRoute, method: string): void {
  const hasBody = op.requestBody !== undefined;
  const params = Array.isArray(op.parameters) ? (op.parameters as Json[]) : [];
  responses['400'] ??= problemResponse('The request is malformed (path, encoding or body syntax)');
  responses['431'] ??= problemResponse('The request line or headers are too large');
  if (route.auth !== 'none') {
    responses['403'] ??= problemResponse(
      'Not allowed: a missing permission, or an API key whose scopes do not cover this route',
    );
    op['x-portico-api-key-scopes'] = route.keyScopes;
  }
  if (params.some((p) => p.in === 'path') || route.auth !== 'none')
    responses['404'] ??= problemResponse('No such record, or not one the caller may see');
  if (hasBody) responses['413'] ??= problemResponse('The body exceeds the limit');
  if (hasBody || params.length > 0)
    responses['422'] ??= problemResponse('The input failed validation; `errors` names each field');
  if (method !== 'get' && method !== 'head') {
    responses['409'] ??= problemResponse(
      'A conflict: a unique value is taken, or the state does not allow it',
    );
    // A write with an Idempotency-Key whose first attempt is still running answers 409
    // `idempotency_in_progress` with Retry-After (the gateway's and the kit's idempotency).
    if (route.idempotency) {
      const r = responses['409'] as Json;
      if (!r.$ref)
        responses['409'] = {
          ...r,
          headers: {
            ...(r.headers as Json),
            'Retry-After': {
              description: 'With `idempotency_in_progress`: seconds before retrying the same key',
              schema: { type: 'integer' },
            },
          },
        };
    }
  }
}

/**
 * The headers the gateway sets on every answer of `route`, declared on each of its responses:
 * `X-Request-Id` always, the rate-limit fields when a policy applies, `Link` to the successor of
 * a deprecated route. The system tests' document validator fails on an undeclared one.
 */
function declareHeaders(responses: Json, route: CompiledRoute): Json {
  const out: Json = {};
  const successor = typeof route.config.deprecated === 'object' && route.config.deprecated.successor;
  // A versioned service echoes `Portico-Version` on every answer (docs/versions.md), also on the
  // refusals declared here by convention: the service's own declaration, copied to each.
  let version: Json | undefined;
  for (const r of Object.values(responses) as (Json | null)[]) {
    const declared = (r?.headers as Json | undefined)?.['Portico-Version'] as Json | undefined;
    if (declared) {
      version = declared;
      break;
    }
  }
  for (const [status, r] of Object.entries(responses)) {
    if (!r || typeof r !== 'object' || (r as Json).$ref) {
      out[status] = r;
      continue;
    }
    const headers: Json = { 'X-Request-Id': REQUEST_ID_HEADER, ...((r as Json).headers as Json) };
    if (route.rateLimits.length) for (const [k, v] of Object.entries(RL_HEADERS)) headers[k] ??= v;
    if (version) headers['Portico-Version'] ??= version;
    if (successor)
      headers.Link ??= {
        description: 'Links; `rel="successor-version"` names the route replacing this deprecated one',
        schema: { type: 'string' },
      };
    out[status] = { ...(r as Json), headers };
  }
  return out;
}

export function decorate(op: Json, route: CompiledRoute, service: string, method: string): Json {
  const out: Json = { ...op };
  out.security = securityFor(route);
  if (!Array.isArray(out.tags) || out.tags.length === 0) out.tags = [service];
  const responses: Json = { ...((out.responses as Json) ?? {}) };
  if (route.auth !== 'none')
    responses['401'] ??= problemResponse('Missing, invalid, expired or revoked credentials');
  if (route.permission) {
    responses['403'] ??= problemResponse(`The caller lacks the ${route.permission} permission`);
    out['x-portico-permission'] = route.permission;
  }
  declareConventional(out, responses, route, method);
  if (route.rateLimits.length) {
    responses['429'] = problemResponse('Rate limited', {
      'Retry-After': { schema: { type: 'integer' } },
      ...RL_HEADERS,
    });
    out['x-portico-rate-limits'] = route.rateLimits.map((p) => ({
      name: p.name,
      limit: p.limit,
      window_seconds: p.windowMs / 1000,
      by: p.by,
    }));
  }
  responses['502'] ??= problemResponse('The service failed');
  responses['503'] ??= problemResponse('The service is unavailable', {
    'Retry-After': { schema: { type: 'integer' } },
  });
  responses['504'] ??= problemResponse('The service timed out');
  out.responses = declareHeaders(responses, route);
  if (route.deprecation) {
    out.deprecated = true;
    const spec = route.config.deprecated;
    if (typeof spec === 'object') {
      if (spec.sunset) out['x-sunset'] = new Date(spec.sunset).toISOString();
      if (spec.successor) out['x-successor'] = spec.successor;
    }
  }
  out['x-portico-service'] = service;
  if (route.websocket && method === 'get') {
    out['x-portico-websocket'] = true;
    out.description =
      `${String(out.description ?? '')}\n\nAlso a WebSocket: send \`Upgrade: websocket\` with \`Authorization\`, or \`?ticket=\` from \`POST /api/v1/ws-tickets\` (browsers).`.trim();
  }
  return out;
}

/** The gateway path of an upstream path under `route`, or null when the route does not cover it. */
export function publicPath(route: CompiledRoute, upstreamPath: string, paramNames: string[]): string | null {
  if (route.isPrefix) {
    const cfg = route.config;
    const upPrefix = (cfg.rewrite ?? cfg.prefix!).replace(/\/$/, '');
    const prefix = route.template.replace(/\/$/, '');
    if (upstreamPath === upPrefix || upPrefix === '' || upstreamPath.startsWith(upPrefix + '/'))
      return prefix + upstreamPath.slice(upPrefix.length) || '/';
    return null;
  }
  const expected = route.target(
    route.template,
    paramNames.map((n) => `{${n}}`),
  );
  return shape(expected) === shape(upstreamPath) ? route.template : null;
}

export function paramNamesOf(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}

/** Renames path parameters when the public template names them differently from the upstream's. */
export function renameParams(op: Json, from: string[], to: string[]): Json {
  if (!Array.isArray(op.parameters) || from.join() === to.join()) return op;
  return {
    ...op,
    parameters: op.parameters.map((p: Json) => {
      const i = p.in === 'path' ? from.indexOf(String(p.name)) : -1;
      return i >= 0 && to[i] ? { ...p, name: to[i] } : p;
    }),
  };
}

export function ensurePathParams(op: Json, template: string): Json {
  const names = paramNamesOf(template);
  if (!names.length) return op;
  const params = Array.isArray(op.parameters) ? [...(op.parameters as Json[])] : [];
  for (const n of names)
    if (!params.some((p) => p.in === 'path' && p.name === n))
      params.push({ name: n, in: 'path', required: true, schema: { type: 'string' } });
  return { ...op, parameters: params };
}
