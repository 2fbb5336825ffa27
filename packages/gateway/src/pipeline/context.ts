/**
 * One client request through the gateway: what the steps learn about it (path, client
 * address, route, principal, body), the headers every answer to it carries, how it is
 * answered with a problem, and the metrics and access-log line written once it is answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller, FieldError, ProblemCode } from '@portico/kit';
import { untraced, type RequestSpan } from '@portico/kit/runtime';
import { acceptRequestId, childTraceparent } from '../edge/ids.ts';
import { anonymousPrincipal } from '../anonymous.ts';
import { writeProblem, type HeaderList } from '../edge/respond.ts';
import type { CompiledRoute, Runtime } from '../config/compile.ts';
import type { Principal } from '../auth/principal.ts';
import type { GatewayCore } from '../core.ts';
import type { UpstreamSink } from './forward.ts';
import type { Upgrade } from '../websocket/bridge.ts';

export class RequestContext {
  readonly gw: GatewayCore;
  readonly rt: Runtime;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly t0: number;
  readonly requestId: string;
  readonly method: string;
  path = '/';
  query = '';
  ip = '';
  route: CompiledRoute | null = null;
  params: string[] = [];
  principal: Principal = anonymousPrincipal;
  body: Buffer | null = null;
  /** Headers every answer to this request carries. */
  headers: HeaderList;
  /** A WebSocket handshake's socket and first bytes (set by the gateway's `upgrade` listener). */
  upgrade: Upgrade | null = null;
  /** Where the upstream's answer goes (the idempotency step wraps it). */
  sink: UpstreamSink | null = null;
  /** Upstream status, send-to-headers time (-1: no upstream answer) and retries, for metrics and the log. */
  status = 0;
  upstreamMs = -1;
  retries = 0;
  /** The request presented a credential: every answer gets `Cache-Control: no-store` (RFC 9111 §5.2.2.5) unless the service set its own. */
  credentialed = false;
  /** The answering service's route template (`x-portico-route`), when it said so. */
  template: string | null = null;
  /** The path sent upstream differs from the client's (a `rewrite`). */
  rewritten = false;
  /** Body bytes streamed from the upstream to the client (the access log's `bytes`). */
  bytes = 0;
  /** The request's SERVER span when OpenTelemetry is on (observe/tracing in the kit). */
  readonly span: RequestSpan | null;
  #traceparent: string | null = null;
  /** A REST call a GraphQL query makes: its rate limits were counted by the query's cost. */
  prepaid = false;
  #finished = false;

  constructor(gw: GatewayCore, rt: Runtime, req: IncomingMessage, res: ServerResponse) {
    this.gw = gw;
    this.rt = rt;
    this.req = req;
    this.res = res;
    this.t0 = performance.now();
    this.method = req.method ?? 'GET';
    this.requestId = acceptRequestId(req.headers['x-request-id']);
    this.span =
      gw.tracer === undefined || untraced(req.url) ? null : gw.tracer.start(this.method, req.headers);
    this.headers = [
      ['x-request-id', this.requestId],
      ['x-content-type-options', 'nosniff'],
    ];
  }

  /**
   * The `traceparent` sent to the service: the gateway's span when tracing is on, else the
   * incoming trace (or a new one) with a new span id; the same for every use in one request.
   */
  get traceparent(): string {
    return (this.#traceparent ??=
      this.span !== null ? this.span.trace.traceparent : childTraceparent(this.req.headers.traceparent));
  }

  problem(code: ProblemCode, detail: string, errors?: FieldError[]): void {
    if (this.res.headersSent) return;
    if (this.credentialed) this.headers.push(['cache-control', 'no-store']);
    const status = writeProblem(this.res, code, {
      detail,
      ...(errors && { errors }),
      instance: this.path,
      requestId: this.requestId,
      headers: this.headers,
    });
    this.done(status);
  }

  internalError(err: unknown): void {
    this.gw.log.error({ err, request_id: this.requestId }, 'gateway error');
    this.sink?.abandon();
    if (!this.res.headersSent) this.problem('internal_error', 'The gateway failed to handle the request');
    else this.res.destroy();
  }

  /** Marks the answer given: route metrics and the access log, once (own routes call it too). */
  done(status: number): void {
    if (this.#finished) return;
    this.#finished = true;
    const total = (performance.now() - this.t0) / 1000;
    const route = this.route;
    const stats =
      route === null
        ? null
        : this.template === null
          ? route.stats
          : this.gw.metrics.templateStats(this.template, route.stats);
    if (route !== null) {
      stats!.count(this.method, status);
      stats!.duration.observe(total);
      // A batch has no upstream of its own: its operations are counted on their routes.
      if (this.upstreamMs >= 0 && route.kind === 'proxy') {
        this.gw.upstreamSeries(route.service).observe(this.upstreamMs / 1000);
        this.gw.metrics.addedSeries.observe(Math.max(0, total - this.upstreamMs / 1000));
      }
      const usage = this.gw.usage;
      if (usage !== null && this.rt.usage !== null) {
        const caller = this.principal.caller as Caller & { plan?: unknown };
        const plan = (this.principal as { plan?: unknown }).plan ?? caller.plan;
        usage.record({
          route: route.template,
          method: this.method,
          status,
          latencyMs: total * 1000,
          userId: caller.id,
          apiKeyId: caller.apiKeyId ?? null,
          // `plan` is set by plans (when configured); read defensively.
          plan: typeof plan === 'string' ? plan : null,
          deprecated: route.deprecation !== null,
        });
      }
    }
    this.span?.end(status, stats?.label);
    const log = this.rt.accessLog;
    // Errors are always logged; other answers when sampled (`access_log.sample`).
    if (log.enabled && (status >= 500 || log.sample >= 1 || (log.sample > 0 && Math.random() < log.sample)))
      this.#accessLog(status, total, stats?.label ?? null);
  }

  /** The length of an answer the gateway gave itself (no upstream body was counted). */
  #ownLength(): number {
    // Batch and GraphQL operations answer into a captured response without getHeader.
    const length =
      typeof this.res.getHeader === 'function' ? this.res.getHeader('content-length') : undefined;
    return length === undefined ? 0 : Number(length);
  }

  /** One JSON line per request (docs/observability.md, "Access log"). */
  #accessLog(status: number, total: number, route: string | null): void {
    const caller = this.principal.caller;
    this.gw.accessLog.write({
      request_id: this.requestId,
      trace_id: this.traceparent.slice(3, 35),
      method: this.method,
      route,
      path: this.path,
      status,
      ms: Math.round(total * 1e4) / 10,
      upstream_ms: this.upstreamMs >= 0 ? Math.round(this.upstreamMs * 10) / 10 : null,
      retries: this.retries,
      caller_id: caller.id,
      caller_kind: caller.auth,
      bytes: this.bytes > 0 ? this.bytes : this.#ownLength(),
      ip: this.ip,
    });
  }
}
