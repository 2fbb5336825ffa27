/**
 * One OpenAPI 3.1 document for the whole platform, built from each service's own document
 * (`/openapi.json` on the service) and the gateway's routes: only operations the gateway
 * actually routes appear, under the public path (after rewrites), with the gateway's
 * security, rate limits, error answers and deprecations. Component names are prefixed with
 * their service so two services' `Order` schemas cannot collide.
 */
import type { Logger } from 'pino';
import { batchOperation } from '../batch/openapi.ts';
import { graphqlOperations } from '../graphql/openapi.ts';
import { opsOperation } from '../ops/openapi.ts';
import { ticketOperation } from '../websocket/openapi.ts';
import { usageOperation } from '../usage/openapi.ts';
import type { CompiledRoute, Runtime } from '../config/compile.ts';
import type { UpstreamService } from '../upstream/service.ts';
import { addExamples, LATEST_API_VERSION, problemJsonSchema, REQUEST_ID_HEADER } from '@portico/kit';
import { planList, withPlans } from './openapi-plans.ts';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const FETCH_TIMEOUT_MS = 3000;

function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
}

function shape(template: string): string {
  return template.replace(/\{[^}]+\}/g, '{}');
}

/** Deep copy with `$ref`s to components renamed to the prefixed names. */
function rewriteRefs(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, prefix));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/')) {
      const [, , type, name] = v.split('/');
      out[k] = `#/components/${type}/${prefix}${name}`;
    } else out[k] = rewriteRefs(v, prefix);
  }
  return out;
}

const PROBLEM_SCHEMA = problemJsonSchema;

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

/** Where a service's document at `version` is cached. */
const docKey = (service: string, version: string) => `${service}@${version}`;

export class OpenApiAggregator {
  #docs = new Map<string, { doc: Json | null; at: number }>();
  #refreshMs: number;
  #log: Logger;
  #inflight = new Map<string, Promise<void>>();

  constructor(refreshMs: number, log: Logger) {
    this.#refreshMs = refreshMs;
    this.#log = log;
  }

  async #fetch(svc: UpstreamService, version: string): Promise<void> {
    const key = docKey(svc.name, version);
    const base = svc.settings.openapiPath;
    if (base === null) {
      this.#docs.set(key, { doc: null, at: Date.now() });
      return;
    }
    // An older version's document comes from the service's own chain (docs/versions.md).
    const path =
      version === LATEST_API_VERSION
        ? base
        : `${base}${base.includes('?') ? '&' : '?'}version=${encodeURIComponent(version)}`;
    const inst = svc.pick(Date.now(), null);
    try {
      if (!inst) throw new Error('no available instance');
      const res = await inst.pool.request({
        method: 'GET',
        path,
        headers: { accept: 'application/json' },
        headersTimeout: FETCH_TIMEOUT_MS,
        bodyTimeout: FETCH_TIMEOUT_MS,
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`answered ${res.statusCode}`);
      }
      const doc = (await res.body.json()) as Json;
      this.#docs.set(key, { doc, at: Date.now() });
    } catch (err) {
      this.#log.warn({ err, service: svc.name }, 'OpenAPI document not fetched; keeping the previous one');
      const prev = this.#docs.get(key);
      this.#docs.set(key, { doc: prev?.doc ?? null, at: Date.now() - this.#refreshMs + 5000 });
    }
  }

  /** Fetches the documents (at `version`) that are missing or older than the refresh interval. */
  async refresh(rt: Runtime, force = false, version: string = LATEST_API_VERSION): Promise<void> {
    let inflight = this.#inflight.get(version);
    if (inflight === undefined) {
      inflight = (async () => {
        const now = Date.now();
        const stale = [...rt.services.values()].filter((s) => {
          const d = this.#docs.get(docKey(s.name, version));
          return force || !d || now - d.at >= this.#refreshMs;
        });
        await Promise.all(stale.map((s) => this.#fetch(s, version)));
      })().finally(() => this.#inflight.delete(version));
      this.#inflight.set(version, inflight);
    }
    await inflight;
  }

  /** The platform's document as it reads at `version` (a calendar date; the latest by default). */
  async document(rt: Runtime, version: string = LATEST_API_VERSION): Promise<Json> {
    await this.refresh(rt, false, version);
    const doc = build(rt, (name) => this.#docs.get(docKey(name, version))?.doc ?? null);
    return { ...doc, info: { ...(doc.info as Json), 'x-portico-api-version': version } };
  }
}

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
  if (method !== 'get' && method !== 'head')
    responses['409'] ??= problemResponse(
      'A conflict: a unique value is taken, or the state does not allow it',
    );
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

function decorate(op: Json, route: CompiledRoute, service: string, method: string): Json {
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
function publicPath(route: CompiledRoute, upstreamPath: string, paramNames: string[]): string | null {
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

function paramNamesOf(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
}

/** Renames path parameters when the public template names them differently from the upstream's. */
function renameParams(op: Json, from: string[], to: string[]): Json {
  if (!Array.isArray(op.parameters) || from.join() === to.join()) return op;
  return {
    ...op,
    parameters: op.parameters.map((p: Json) => {
      const i = p.in === 'path' ? from.indexOf(String(p.name)) : -1;
      return i >= 0 && to[i] ? { ...p, name: to[i] } : p;
    }),
  };
}

function ensurePathParams(op: Json, template: string): Json {
  const names = paramNamesOf(template);
  if (!names.length) return op;
  const params = Array.isArray(op.parameters) ? [...(op.parameters as Json[])] : [];
  for (const n of names)
    if (!params.some((p) => p.in === 'path' && p.name === n))
      params.push({ name: n, in: 'path', required: true, schema: { type: 'string' } });
  return { ...op, parameters: params };
}

export function build(rt: Runtime, docOf: (service: string) => Json | null): Json {
  const cfg = rt.config.openapi;
  const paths: Record<string, Json> = {};
  const components: Record<string, Json> = {
    schemas: { Problem: PROBLEM_SCHEMA },
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from POST /api/v1/auth/login',
      },
      apiKey: {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'API key (also accepted as Authorization: Bearer <key>)',
      },
    },
  };
  const opIds = new Set<string>();
  const merged = new Set<string>();
  const plans = planList(rt.plans);

  const add = (
    publicTemplate: string,
    method: string,
    op: Json,
    route: CompiledRoute,
    service: string,
  ): void => {
    const match = rt.router.match(method.toUpperCase(), publicTemplate);
    if (match.kind !== 'route' || match.route !== route) return; // shadowed by another route
    const item = (paths[publicTemplate] ??= {});
    if (item[method]) return;
    let final = ensurePathParams(
      withPlans(decorate(op, route, service, method), route, rt.plans, plans),
      publicTemplate,
    );
    const base = `${service}_${String(final.operationId ?? `${method}_${publicTemplate.replace(/[^A-Za-z0-9]+/g, '_')}`)}`;
    let id = base;
    for (let i = 2; opIds.has(id); i++) id = `${base}_${i}`;
    opIds.add(id);
    final = { ...final, operationId: id };
    item[method] = final;
  };

  for (const route of rt.routes) {
    if (!route.openapi) continue;
    if (route.kind === 'batch') {
      add(route.template, 'post', batchOperation(rt.batch!.maxOperations), route, route.service);
      continue;
    }
    if (route.kind === 'graphql') {
      const ops = graphqlOperations(rt.graphql!);
      add(route.template, 'post', ops.post, route, route.service);
      add(route.template, 'get', ops.get, route, route.service);
      continue;
    }
    if (route.kind === 'ops') {
      const method = route.methods?.has('POST') ? 'post' : 'get';
      add(route.template, method, opsOperation(route.config.name), route, route.service);
      continue;
    }
    if (route.kind === 'usage') {
      add(
        route.template,
        'get',
        usageOperation(route.config.name, rt.config.usage.permission),
        route,
        route.service,
      );
      continue;
    }
    if (route.kind === 'ws-ticket') {
      add(route.template, 'post', ticketOperation(rt.websockets.ticketTtlMs), route, route.service);
      continue;
    }
    const service = route.service;
    const doc = docOf(service);
    const prefix = pascal(service);
    if (doc && !merged.has(service)) {
      merged.add(service);
      for (const [type, entries] of Object.entries((doc.components as Json) ?? {})) {
        if (type === 'securitySchemes' || !entries || typeof entries !== 'object') continue;
        const target = (components[type] ??= {});
        for (const [name, value] of Object.entries(entries))
          target[`${prefix}${name}`] = rewriteRefs(value, prefix);
      }
    }
    const upstreamPaths = (doc?.paths as Record<string, Json> | undefined) ?? {};
    let found = false;
    for (const [upPath, item] of Object.entries(upstreamPaths)) {
      const upNames = paramNamesOf(upPath);
      const pub = publicPath(route, upPath, upNames);
      if (pub === null) continue;
      const pubNames = paramNamesOf(pub);
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        if (route.methods && !route.methods.has(method.toUpperCase())) continue;
        const shared = Array.isArray(item.parameters)
          ? { parameters: [...(item.parameters as Json[]), ...((op.parameters as Json[]) ?? [])] }
          : {};
        const withRefs = rewriteRefs({ ...op, ...shared }, prefix) as Json;
        add(pub, method, renameParams(withRefs, upNames, pubNames), route, service);
        found = true;
      }
    }
    if (!found && !route.isPrefix) {
      // The service publishes no document for this route: describe what the gateway knows.
      for (const m of route.methods ?? ['GET']) {
        add(
          route.template,
          m.toLowerCase(),
          {
            summary: `${m} ${route.template}`,
            responses: { default: { description: `Answered by the ${service} service` } },
          },
          route,
          service,
        );
      }
    }
  }

  const doc: Json = {
    openapi: '3.1.0',
    info: {
      title: cfg.title,
      version: cfg.version,
      ...(cfg.description && { description: cfg.description }),
    },
    servers: [{ url: '/' }],
    paths,
    components,
  };
  // Every request body and response gets an example composed from its schema's field examples
  // (kit openapi/examples.ts) unless its route declared one.
  addExamples(doc);
  return doc;
}
