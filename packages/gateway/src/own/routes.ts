/**
 * The gateway's own routes: health (`/health/live`, `/health/ready`, `/health` with every
 * service's state), the merged OpenAPI document, Prometheus metrics (loopback, a token or
 * `metrics.public`), the API docs and the web console. GET and HEAD only; they run before the configured routes.
 */
import { timingSafeEqual } from 'node:crypto';
import { mergeHeaders, writeJson } from '../edge/respond.ts';
import { DOCS_CSP, DOCS_PATHS, docsAsset } from './docs.ts';
import { serveAsset } from './asset.ts';
import { CONSOLE_PATHS, CONSOLE_SLOS_PATH, serveConsole, serveSlos } from './console.ts';
import type { RequestContext } from '../pipeline/context.ts';
import type { OwnHandler } from '../core.ts';
import type { GatewayMetrics } from '../observe/metrics.ts';
import type { GatewayStore } from '../store/store.ts';
import type { EventBus } from '@portico/kit';
import type { JwksCache } from '../auth/jwks.ts';
import { isApiVersion, LATEST_API_VERSION, unknownVersionError } from '@portico/kit';
import type { OpenApiAggregator } from './openapi.ts';
import {
  PROBLEM_PAGE_CSP,
  problemHtml,
  problemIndexHtml,
  problemJson,
  problemPages,
  wantsHtml,
} from './problems.ts';
import { PROBLEM_CONTENT_TYPE, PROBLEM_PATH } from '@portico/kit';

export const OWN_PATHS: readonly string[] = [
  '/health/live',
  '/health/ready',
  '/health',
  '/openapi.json',
  '/metrics',
  ...DOCS_PATHS,
  ...CONSOLE_PATHS,
];

export interface OwnRouteDeps {
  store: GatewayStore;
  jwks: JwksCache;
  openapi: OpenApiAggregator;
  metrics: GatewayMetrics;
  /** The event bus, when configured: readiness reports it. */
  bus?: EventBus | undefined;
  /** True once the gateway is shutting down (readiness then fails). */
  closing(): boolean;
  /** With worker threads: every worker's metrics merged (`workers/metrics-merge.ts`). */
  aggregateMetrics?: (() => Promise<string>) | undefined;
  /** With worker threads: every worker's state, as the main thread sees it. */
  workersHealth?: (() => Promise<WorkerHealth[]>) | undefined;
}

/** One gateway worker thread in `/health` (`workers: N`). */
export interface WorkerHealth {
  id: number;
  /** `serving` once it listens; `starting` while a replacement boots. */
  state: 'serving' | 'starting';
  /** Times this worker slot was started again after its thread died. */
  restarts: number;
}

export function ownRoutes(deps: OwnRouteDeps): Map<string, OwnHandler> {
  const own = new Map<string, OwnHandler>();
  const get = (path: string, h: OwnHandler) =>
    own.set(path, (ctx) => {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
        ctx.headers.push(['allow', 'GET, HEAD']);
        ctx.problem('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
        return;
      }
      h(ctx);
    });
  const json = (ctx: RequestContext, status: number, body: unknown) => {
    ctx.headers.push(['cache-control', 'no-store']);
    writeJson(ctx.res, status, ctx.headers, body);
    ctx.done(status);
  };
  get('/health/live', (ctx) => json(ctx, 200, { status: 'ok' }));
  // Ready only while Redis and NATS (when configured) answer. Meanwhile the gateway still
  // serves, degraded (docs/operations.md, "When a dependency goes away"), so a balancer that
  // fails open keeps sending traffic; the checks say which dependency is away.
  get('/health/ready', (ctx) => {
    if (deps.closing()) return json(ctx, 503, { status: 'closing' });
    const checks = {
      store: deps.store.isReady() ? 'ok' : 'failing',
      ...(deps.bus && { bus: deps.bus.isReady() ? 'ok' : 'failing' }),
    };
    const ok = Object.values(checks).every((c) => c === 'ok');
    json(ctx, ok ? 200 : 503, {
      status: ok ? 'ready' : 'degraded',
      ...checks,
      keys: deps.jwks.loaded ? 'ok' : 'pending',
    });
  });
  get('/health', (ctx) => {
    const services: Record<string, string> = {};
    let up = 0;
    let total = 0;
    for (const svc of ctx.rt.services.values()) {
      const s = svc.status();
      services[svc.name] = s;
      total++;
      if (s === 'healthy') up++;
      else if (s === 'degraded') up += 0.5;
    }
    const status = up === total ? 'healthy' : up === 0 ? 'unhealthy' : 'degraded';
    const body = { status, timestamp: new Date().toISOString(), services };
    if (!deps.workersHealth) return json(ctx, status === 'unhealthy' ? 503 : 200, body);
    deps.workersHealth().then(
      (workers) => json(ctx, status === 'unhealthy' ? 503 : 200, { ...body, workers }),
      // The main thread did not answer: the services' view still stands.
      () => json(ctx, status === 'unhealthy' ? 503 : 200, body),
    );
  });
  get('/openapi.json', (ctx) => {
    // `?version=YYYY-MM-DD`: the document at an older API version (docs/versions.md).
    const version = new URLSearchParams(ctx.query).get('version') ?? LATEST_API_VERSION;
    if (!isApiVersion(version)) {
      ctx.problem('unsupported_api_version', 'Name a supported API version, or none for the latest', [
        { ...unknownVersionError(version), field: 'version' },
      ]);
      return;
    }
    deps.openapi.document(ctx.rt, version).then(
      (doc) => json(ctx, 200, doc),
      (err: unknown) => ctx.internalError(err),
    );
  });
  get('/metrics', (ctx) => {
    if (!ctx.rt.metricsEnabled || !metricsAllowed(ctx)) {
      ctx.problem('not_found', `No route for ${ctx.path}`);
      return;
    }
    const send = (body: string) => {
      const out: Record<string, string> = {};
      mergeHeaders(out, ctx.headers);
      out['content-type'] = 'text/plain; version=0.0.4; charset=utf-8';
      ctx.res.writeHead(200, out);
      ctx.res.end(body);
      ctx.done(200);
    };
    if (deps.aggregateMetrics) deps.aggregateMetrics().then(send, (err: unknown) => ctx.internalError(err));
    else send(deps.metrics.render());
  });
  for (const p of DOCS_PATHS)
    get(p, (ctx) => {
      serveAsset(ctx, ctx.rt.docsEnabled ? docsAsset(p) : undefined, {
        'content-security-policy': DOCS_CSP,
        'cache-control': 'public, max-age=3600',
      });
    });
  const page = (ctx: RequestContext, html: string) => {
    const out: Record<string, string> = {};
    mergeHeaders(out, ctx.headers);
    out['content-type'] = 'text/html; charset=utf-8';
    out['content-security-policy'] = PROBLEM_PAGE_CSP;
    out['cache-control'] = 'public, max-age=3600';
    out.vary = 'Accept';
    const body = Buffer.from(html);
    out['content-length'] = String(body.length);
    ctx.res.writeHead(200, out);
    ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
    ctx.done(200);
  };
  const pages = problemPages();
  for (const index of ['/problems', PROBLEM_PATH])
    get(index, (ctx) => {
      if (wantsHtml(ctx.req.headers.accept)) return page(ctx, problemIndexHtml(pages));
      ctx.headers.push(['vary', 'Accept']);
      json(ctx, 200, { data: pages.map(problemJson) });
    });
  for (const p of pages)
    get(PROBLEM_PATH + p.code, (ctx) => {
      if (wantsHtml(ctx.req.headers.accept)) return page(ctx, problemHtml(p));
      ctx.headers.push(['vary', 'Accept']);
      writeJson(ctx.res, 200, ctx.headers, problemJson(p), PROBLEM_CONTENT_TYPE);
      ctx.done(200);
    });
  for (const p of CONSOLE_PATHS) get(p, p === CONSOLE_SLOS_PATH ? serveSlos : serveConsole);
  return own;
}

function metricsAllowed(ctx: RequestContext): boolean {
  if (ctx.rt.metricsPublic) return true;
  const token = ctx.rt.metricsToken;
  const auth = ctx.req.headers.authorization;
  if (token && typeof auth === 'string' && auth.startsWith('Bearer ')) {
    const a = Buffer.from(auth.slice(7));
    const b = Buffer.from(token);
    if (a.length === b.length && timingSafeEqual(a, b)) return true;
  }
  // The client as trusted proxies report it: behind a local load balancer the peer is
  // loopback, but the caller is not.
  const ip = ctx.ip;
  return ip.startsWith('127.') || ip === '::1';
}
