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
import { addExamples, LATEST_API_VERSION, problemJsonSchema } from '@portico/kit';
import { planList, withPlans } from './openapi-plans.ts';
import { decorate, ensurePathParams, paramNamesOf, publicPath, renameParams } from './openapi-decorate.ts';

type Json = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const FETCH_TIMEOUT_MS = 3000;

function pascal(name: string): string {
  return name.replace(/(^|[-_])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
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
