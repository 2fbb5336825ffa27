/**
 * One client request through the gateway: what the steps learn about it (path, client
 * address, route, principal, body), the headers every answer to it carries, how it is
 * answered with a problem, and the metrics and access-log line written once it is answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller, FieldError, ProblemCode } from '@portico/kit';
import { acceptRequestId } from '../edge/ids.ts';
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
  #finished = false;

  constructor(gw: GatewayCore, rt: Runtime, req: IncomingMessage, res: ServerResponse) {
    this.gw = gw;
    this.rt = rt;
    this.req = req;
    this.res = res;
    this.t0 = performance.now();
    this.method = req.method ?? 'GET';
    this.requestId = acceptRequestId(req.headers['x-request-id']);
    this.headers = [
      ['x-request-id', this.requestId],
      ['x-content-type-options', 'nosniff'],
    ];
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
    if (route !== null) {
      route.stats.count(this.method, status);
      route.stats.duration.observe(total);
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
    if (this.rt.accessLog)
      this.gw.log.info(
        {
          request_id: this.requestId,
          method: this.method,
          path: this.path,
          route: route?.label ?? null,
          status,
          ms: Math.round(total * 1e4) / 10,
          upstream_ms: this.upstreamMs >= 0 ? Math.round(this.upstreamMs * 10) / 10 : null,
          retries: this.retries,
          caller: this.principal.caller.id,
          ip: this.ip,
        },
        'request',
      );
  }
}
