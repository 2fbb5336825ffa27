/**
 * One client request through the gateway, in the order `explain` prints: edge (request id,
 * trace context, path hygiene) → route match (404/405) → sunset (410) → CORS → declared body
 * size (413) → authentication (401) → authorization (403) → rate limits (429) → body →
 * Idempotency-Key (replay / 409 / 422) → upstream with a passport → response streamed back.
 * Each step stays synchronous when its answer is cached, so a reused token costs no promise.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { permissionScope, type ProblemCode } from '@portico/kit';
import { PASSPORT_HEADER } from '@portico/kit/runtime';
import { acceptRequestId, childTraceparent } from './edge/ids.ts';
import { findCredential, type AuthFailure, type AuthOutcome } from './auth/authenticate.ts';
import { anonymousPrincipal } from './anonymous.ts';
import { corsHeaders, preflightHeaders } from './edge/cors.ts';
import { clientIp, RESPONSE_DROP, upstreamHeaders } from './edge/forwarding.ts';
import { mergeHeaders, writeProblem, type HeaderList } from './edge/respond.ts';
import { forward, type Cancellable, type FailureKind, type ForwardSink } from './upstream/forward.ts';
import type { LimitDecision } from './limits/rate-limit.ts';
import type { CompiledRoute, Runtime } from './config/compile.ts';
import type { Principal } from './auth/principal.ts';
import type { StoredResponse } from './store/store.ts';
import type { GatewayCore } from './core.ts';

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** False for a `%` not followed by two hex digits, or bytes that are not UTF-8 (`%C0%AF`). */
function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAY_HEADERS = new Set([
  'content-type',
  'location',
  'etag',
  'link',
  'cache-control',
  'content-language',
  'vary',
]);
const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const IN_FLIGHT = Symbol('portico.inFlight');

/**
 * The response to a POST with an Idempotency-Key, held back until it is stored: a client can
 * only repeat the request once it has seen the answer (or given up), so storing first means a
 * repeat on any replica finds the stored answer, never the in-progress lock. Bodies over
 * `idempotency.max_body` and event streams are sent as they come and not stored (`overflow`).
 */
interface Capture {
  status: number;
  headers: [string, string][];
  chunks: Buffer[];
  size: number;
  overflow: boolean;
  /** The response head, not yet written while the response is held back. */
  head: Record<string, string | string[] | number | undefined> | null;
}

export class RequestContext implements ForwardSink {
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
  #idem: { key: string; token: string; fingerprint: string } | null = null;
  #capture: Capture | null = null;
  #upstreamMs = -1;
  #status = 0;
  #retries = 0;
  #finished = false;
  #socket: Socket | null = null;

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

  // ---- edge and routing ---------------------------------------------------------------

  run(): void {
    const url = this.req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.query = q === -1 ? '' : url.slice(q);
    if (this.path.charCodeAt(0) !== 47 || DOT_SEGMENT.test(this.path)) {
      this.problem('malformed_request', 'The request path is not acceptable');
      return;
    }
    if (this.path.includes('%') && !decodable(this.path)) {
      this.problem('malformed_request', 'The request path has an invalid percent-encoding');
      return;
    }
    this.ip = clientIp(this.req, this.rt.trusted);
    const own = this.gw.ownRoute(this.path);
    if (own !== undefined) {
      own(this);
      return;
    }
    const origin = this.req.headers.origin;
    if (
      this.method === 'OPTIONS' &&
      origin !== undefined &&
      this.req.headers['access-control-request-method']
    ) {
      this.#preflight(origin, String(this.req.headers['access-control-request-method']));
      return;
    }
    const m = this.rt.router.match(this.method, this.path);
    if (m.kind === 'not_found') {
      this.problem('not_found', `No route for ${this.path}`);
      return;
    }
    if (m.kind === 'method_not_allowed') {
      this.headers.push(['allow', m.allow]);
      this.problem('method_not_allowed', `${this.method} is not allowed on ${this.path}`);
      return;
    }
    const route = m.route;
    this.route = route;
    this.params = m.params;
    if (route.cors !== null && origin !== undefined) {
      const h = corsHeaders(route.cors, origin);
      if (h) for (const e of h) this.headers.push(e);
    }
    if (route.deprecation !== null) {
      for (const e of route.deprecation.headers) this.headers.push(e);
      if (route.deprecation.sunsetAt !== null && Date.now() >= route.deprecation.sunsetAt) {
        this.problem('gone', 'This route has been retired (see the Link header for its successor)');
        return;
      }
    }
    const declared = this.req.headers['content-length'];
    if (declared !== undefined && Number(declared) > route.bodyLimit) {
      this.headers.push(['connection', 'close']);
      this.problem('payload_too_large', `The body exceeds ${route.bodyLimit} bytes`);
      return;
    }
    this.#authenticate(route);
  }

  #preflight(origin: string, requested: string): void {
    const m = this.rt.router.match(requested.toUpperCase(), this.path);
    const route = m.kind === 'route' ? m.route : null;
    const h = route?.cors
      ? preflightHeaders(
          route.cors,
          origin,
          route.methods,
          this.req.headers['access-control-request-headers'] as string | undefined,
        )
      : null;
    const out: Record<string, string | string[]> = {};
    mergeHeaders(out, this.headers);
    if (h) mergeHeaders(out, h);
    out['content-length'] = '0';
    this.res.writeHead(204, out);
    this.res.end();
    this.#done(204);
  }

  // ---- authentication and authorization -----------------------------------------------

  #authenticate(route: CompiledRoute): void {
    if (route.auth === 'none') {
      this.#limit(route);
      return;
    }
    const cred = findCredential(this.req.headers, this.rt.apiKeyHeader);
    if (cred === null) {
      if (route.auth === 'required' || route.permission !== null) {
        this.#deny({
          ok: false,
          status: 401,
          code: 'unauthenticated',
          reason: 'missing_credentials',
          detail: 'Sign in to use this route',
          tokenGiven: false,
        });
        return;
      }
      this.#limit(route);
      return;
    }
    if ('ok' in cred) {
      this.#deny(cred);
      return;
    }
    const out = this.gw.authenticator.authenticate(cred, Date.now());
    if (out instanceof Promise)
      out.then(
        (o) => this.#authorize(route, o),
        (err: unknown) => this.internalError(err),
      );
    else this.#authorize(route, out);
  }

  #authorize(route: CompiledRoute, out: AuthOutcome): void {
    if (!out.ok) {
      this.#deny(out);
      return;
    }
    this.principal = out.principal;
    if (
      route.permission !== null &&
      permissionScope(out.principal.caller.permissions, route.permission) === false
    ) {
      this.gw.reportDenied(this, 403, `missing_permission:${route.permission}`);
      this.problem('forbidden', `Requires the ${route.permission} permission`);
      return;
    }
    this.#limit(route);
  }

  #deny(f: AuthFailure): void {
    if (f.status === 503) {
      this.headers.push(['retry-after', '5']);
      this.problem('service_unavailable', f.detail);
      return;
    }
    // RFC 6750 §3: error="invalid_token" only when a token was presented.
    this.headers.push([
      'www-authenticate',
      f.tokenGiven
        ? `Bearer realm="portico", error="invalid_token", error_description="${f.detail}"`
        : 'Bearer realm="portico"',
    ]);
    this.gw.reportDenied(this, 401, f.reason);
    this.problem(f.code, f.detail);
  }

  // ---- rate limits --------------------------------------------------------------------

  #limit(route: CompiledRoute): void {
    if (route.rateLimits.length === 0) {
      this.#readBody(route);
      return;
    }
    const c = this.principal.caller;
    const d = this.gw.limiter.check(route.rateLimits, route.rateLimitPolicyHeader, {
      ip: this.ip,
      scope: this.principal.scope,
      userId: c.id,
      apiKeyId: c.apiKeyId ?? null,
      route: route.label,
    });
    if (d instanceof Promise)
      d.then(
        (x) => this.#afterLimit(route, x),
        (err: unknown) => this.internalError(err),
      );
    else this.#afterLimit(route, d);
  }

  #afterLimit(route: CompiledRoute, d: LimitDecision): void {
    for (const h of d.headers) this.headers.push(h);
    if (d.kind === 'limited') {
      const p = d.policy;
      this.problem(
        'rate_limited',
        `Rate limit "${p.name}" exceeded: ${p.limit} requests per ${Math.ceil(p.windowMs / 1000)} s`,
      );
      return;
    }
    if (d.kind === 'store_down') {
      this.headers.push(['retry-after', '1']);
      this.problem('service_unavailable', 'Rate limits cannot be checked right now');
      return;
    }
    this.#readBody(route);
  }

  // ---- body and idempotency -----------------------------------------------------------

  #readBody(route: CompiledRoute): void {
    const h = this.req.headers;
    if (h['content-length'] === undefined && h['transfer-encoding'] === undefined) {
      this.#idempotency(route);
      return;
    }
    const limit = route.bodyLimit;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    this.req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        this.headers.push(['connection', 'close']);
        this.problem('payload_too_large', `The body exceeds ${limit} bytes`);
        return;
      }
      chunks.push(chunk);
    });
    this.req.once('end', () => {
      if (over) return;
      this.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      this.#idempotency(route);
    });
    this.req.once('error', () => {
      over = true;
    });
  }

  #idempotency(route: CompiledRoute): void {
    const key = this.req.headers['idempotency-key'];
    if (this.method !== 'POST' || !route.idempotency || key === undefined) {
      this.#forward(route);
      return;
    }
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      this.problem('malformed_request', 'Idempotency-Key must be 1-255 visible ASCII characters');
      return;
    }
    const scope = this.principal.scope ?? `ip:${this.ip}`;
    const storeKey = `idem:${scope}:${key}`;
    const hash = createHash('sha256').update(`${this.method} ${this.path}${this.query}\n`);
    if (this.body) hash.update(this.body);
    const fingerprint = hash.digest('base64url');
    this.gw.store.idempotencyBegin(storeKey, fingerprint, this.gw.idempotencyLockMs).then(
      (r) => {
        switch (r.state) {
          case 'started':
            this.gw.metrics.idempotency.inc({ outcome: 'started' });
            this.#idem = { key: storeKey, token: r.token, fingerprint };
            this.#forward(route);
            return;
          case 'replay':
            this.gw.metrics.idempotency.inc({ outcome: 'replayed' });
            this.#replay(r.response);
            return;
          case 'in_progress':
            this.gw.metrics.idempotency.inc({ outcome: 'in_progress' });
            this.problem(
              'idempotency_in_progress',
              'A request with this Idempotency-Key is still being processed',
            );
            return;
          case 'mismatch':
            this.gw.metrics.idempotency.inc({ outcome: 'mismatch' });
            this.problem('idempotency_key_reused', 'This Idempotency-Key was used with a different request');
            return;
        }
      },
      () => {
        this.headers.push(['retry-after', '1']);
        this.problem('service_unavailable', 'Idempotency keys cannot be checked right now');
      },
    );
  }

  #replay(stored: StoredResponse): void {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of stored.headers) out[k] = v;
    mergeHeaders(out, this.headers);
    out['idempotent-replayed'] = 'true';
    const body = Buffer.from(stored.body, 'base64');
    out['content-length'] = String(body.length);
    this.res.writeHead(stored.status, out);
    this.res.end(body);
    this.#done(stored.status);
  }

  // ---- upstream -----------------------------------------------------------------------

  #forward(route: CompiledRoute): void {
    const svc = this.rt.services.get(route.service)!;
    const now = Date.now();
    const passport = this.gw.mint.for(this.principal, route.service, now);
    const headers = upstreamHeaders(this.req, this.rt.trusted, this.rt.apiKeyHeader, [
      PASSPORT_HEADER,
      passport,
      'x-request-id',
      this.requestId,
      'traceparent',
      childTraceparent(this.req.headers.traceparent),
    ]);
    const retryable =
      RETRYABLE_METHODS.has(this.method) ||
      (this.method === 'POST' && this.req.headers['idempotency-key'] !== undefined);
    if (this.#idem !== null)
      this.#capture = { status: 0, headers: [], chunks: [], size: 0, overflow: false, head: null };
    forward(
      svc,
      {
        method: this.method,
        path: route.target(this.path, this.params) + this.query,
        headers,
        body: this.body,
        retryable,
        timeouts: route.timeouts,
        retry: route.retry,
      },
      this,
    );
  }

  start(status: number, upstream: IncomingHttpHeaders, upstreamMs: number): void {
    this.#upstreamMs = upstreamMs;
    const out: Record<string, string | string[] | number | undefined> = {};
    const connection = upstream.connection;
    const listed =
      typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close'
        ? connection.toLowerCase().split(/\s*,\s*/)
        : null;
    for (const k in upstream) {
      if (RESPONSE_DROP.has(k) || listed?.includes(k)) continue;
      out[k] = upstream[k];
    }
    const gatewayMs = performance.now() - this.t0 - upstreamMs;
    const timing = `gateway;dur=${Math.round(gatewayMs * 100) / 100}, upstream;dur=${Math.round(upstreamMs * 100) / 100}`;
    mergeHeaders(out, this.headers);
    out['server-timing'] = upstream['server-timing']
      ? `${String(upstream['server-timing'])}, ${timing}`
      : timing;
    this.#status = status;
    const stream =
      typeof upstream['content-type'] === 'string' &&
      upstream['content-type'].startsWith('text/event-stream');
    const c = this.#capture;
    if (c !== null) {
      c.status = status;
      for (const k in out) if (REPLAY_HEADERS.has(k)) c.headers.push([k, String(out[k])]);
      if (!stream && status < 500) {
        c.head = out;
        return;
      }
      c.overflow = true;
    }
    this.res.writeHead(status, out);
    // Event streams must reach the client at once: no Nagle delay on small chunks.
    if (stream) this.res.flushHeaders();
  }

  data(chunk: Buffer): boolean {
    const c = this.#capture;
    if (c !== null && !c.overflow) {
      c.size += chunk.length;
      if (c.size <= this.gw.idempotencyMaxBody) {
        c.chunks.push(chunk);
        return true;
      }
      // Too large to store: send what was held back and stream the rest.
      c.overflow = true;
      this.#sendHeld(c);
    }
    return this.res.write(chunk);
  }

  #sendHeld(c: Capture): void {
    if (c.head === null || this.res.destroyed) return;
    this.res.writeHead(c.status, c.head);
    c.head = null;
    for (const chunk of c.chunks) this.res.write(chunk);
  }

  onDrain(resume: () => void): void {
    this.res.once('drain', resume);
  }

  onAbort(target: Cancellable): void {
    // One 'close' listener per connection, not per request: HTTP/1.1 has at most one request
    // in flight per connection, so the socket points at the exchange to cancel.
    const sock = this.req.socket as Socket & { [IN_FLIGHT]?: Cancellable | null };
    if (!(IN_FLIGHT in sock)) {
      sock.once('close', () => {
        const t = sock[IN_FLIGHT];
        sock[IN_FLIGHT] = null;
        t?.cancel();
      });
    }
    sock[IN_FLIGHT] = target;
    this.#socket = sock;
  }

  #release(): void {
    const sock = this.#socket as (Socket & { [IN_FLIGHT]?: Cancellable | null }) | null;
    if (sock !== null) sock[IN_FLIGHT] = null;
  }

  retried(): void {
    this.#retries++;
    this.gw.metrics.retries.inc({ service: this.route!.service });
  }

  end(): void {
    this.#release();
    const c = this.#capture;
    if (c !== null && c.head !== null) {
      // Stored first, then sent (see Capture); a failed store still answers the client.
      void this.#settleIdempotency(false).then(() => {
        this.#sendHeld(c);
        this.res.end();
        this.#done(this.#status);
      });
      return;
    }
    this.res.end();
    void this.#settleIdempotency(false);
    this.#done(this.#status);
  }

  fail(kind: FailureKind, started: boolean, retryAfter: number, err: Error | null): void {
    this.#release();
    void this.#settleIdempotency(true);
    const c = this.#capture;
    if (c !== null && c.head !== null) {
      // The upstream failed after its head arrived but nothing was sent yet: the client gets
      // the gateway's answer below instead of a cut-off response.
      c.head = null;
      started = false;
    }
    const service = this.route!.service;
    this.gw.metrics.upstreamErrors.inc({ service, kind });
    if (started || this.res.headersSent) {
      this.res.destroy();
      this.#done(this.#status || 502);
      return;
    }
    if (this.res.destroyed) {
      this.#done(499);
      return;
    }
    if (err) this.gw.log.warn({ err, request_id: this.requestId, service, kind }, 'upstream request failed');
    switch (kind) {
      case 'timeout':
        this.problem('gateway_timeout', `The ${service} service did not answer in time`);
        return;
      case 'reset':
        this.problem('bad_gateway', `The ${service} service closed the connection`);
        return;
      default:
        this.headers.push(['retry-after', String(retryAfter)]);
        this.problem('service_unavailable', `The ${service} service is unavailable`);
    }
  }

  #settleIdempotency(failed: boolean): Promise<void> {
    const idem = this.#idem;
    if (idem === null) return Promise.resolve();
    this.#idem = null;
    const store = this.gw.store;
    const c = this.#capture;
    // 5xx and failed exchanges are not stored: the key is released so the client can retry.
    if (failed || c === null || c.overflow || c.status >= 500) {
      this.gw.metrics.idempotency.inc({ outcome: 'released' });
      return store.idempotencyRelease(idem.key, idem.token).catch(() => {});
    }
    const body = Buffer.concat(c.chunks, c.size).toString('base64');
    return store
      .idempotencyComplete(
        idem.key,
        idem.token,
        idem.fingerprint,
        { status: c.status, headers: c.headers, body },
        this.gw.idempotencyTtlMs,
      )
      .catch((err: unknown) => {
        this.gw.log.warn({ err, request_id: this.requestId }, 'idempotent response not stored');
        // Released rather than left locked until it expires: a retry then runs afresh.
        return store.idempotencyRelease(idem.key, idem.token).catch(() => {});
      });
  }

  // ---- answers ------------------------------------------------------------------------

  problem(code: ProblemCode, detail: string): void {
    if (this.res.headersSent) return;
    const status = writeProblem(this.res, code, {
      detail,
      instance: this.path,
      requestId: this.requestId,
      headers: this.headers,
    });
    this.#done(status);
  }

  internalError(err: unknown): void {
    this.gw.log.error({ err, request_id: this.requestId }, 'gateway error');
    void this.#settleIdempotency(true);
    if (!this.res.headersSent) this.problem('internal_error', 'The gateway failed to handle the request');
    else this.res.destroy();
  }

  /** Marks the answer given (own routes call it too). */
  done(status: number): void {
    this.#done(status);
  }

  #done(status: number): void {
    if (this.#finished) return;
    this.#finished = true;
    const total = (performance.now() - this.t0) / 1000;
    const route = this.route;
    if (route !== null) {
      route.stats.count(this.method, status);
      route.stats.duration.observe(total);
      if (this.#upstreamMs >= 0) {
        this.gw.upstreamSeries(route.service).observe(this.#upstreamMs / 1000);
        this.gw.metrics.addedSeries.observe(Math.max(0, total - this.#upstreamMs / 1000));
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
          upstream_ms: this.#upstreamMs >= 0 ? Math.round(this.#upstreamMs * 10) / 10 : null,
          retries: this.#retries,
          caller: this.principal.caller.id,
          ip: this.ip,
        },
        'request',
      );
  }
}
