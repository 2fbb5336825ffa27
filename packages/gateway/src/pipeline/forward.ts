/**
 * Forward: the request goes to the route's service with a passport, the request id, a child
 * trace context and the forwarding headers; the answer streams back through a sink (the
 * client's response, or the idempotency step's wrapper around it). Failures before the head
 * was sent become 502/503/504 problems; after it, the client's connection is cut.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { VERSION_HEADER } from '@portico/kit';
import { PASSPORT_HEADER, ROUTE_TEMPLATE_HEADER } from '@portico/kit/runtime';
import { RESPONSE_DROP, upstreamHeaders } from '../edge/forwarding.ts';
import { mergeHeaders } from '../edge/respond.ts';
import { requestVersion } from './api-version.ts';
import {
  compressible,
  encodeBody,
  negotiate,
  varyOnEncoding,
  type BodyEncoder,
} from '../edge/compression.ts';
import {
  forward as send,
  type Cancellable,
  type FailureKind,
  type ForwardSink,
} from '../upstream/forward.ts';
import { HANDLED, type Step } from './step.ts';
import type { RequestContext } from './context.ts';

const RETRYABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const IN_FLIGHT = Symbol('portico.inFlight');
type FlightSocket = Socket & { [IN_FLIGHT]?: Cancellable | null };

export type OutgoingHead = Record<string, string | string[] | number | undefined>;

/** Where an upstream's answer goes. */
export interface UpstreamSink extends ForwardSink {
  /** The request failed outside the exchange (a gateway error): let go of what the sink holds. */
  abandon(): void;
}

export function isEventStream(upstream: IncomingHttpHeaders): boolean {
  const type = upstream['content-type'];
  return typeof type === 'string' && type.startsWith('text/event-stream');
}

/** Streams the upstream's answer to the client as it comes. */
export class ClientSink implements UpstreamSink {
  readonly #ctx: RequestContext;
  #socket: FlightSocket | null = null;
  /** The body's encoder when the answer is compressed (edge/compression.ts); it ends the response. */
  #encoder: BodyEncoder | null = null;

  constructor(ctx: RequestContext) {
    this.#ctx = ctx;
  }

  /** The client's response head: upstream headers without hop-by-hop ones, the gateway's, `Server-Timing`. */
  head(status: number, upstream: IncomingHttpHeaders, upstreamMs: number): OutgoingHead {
    const ctx = this.#ctx;
    ctx.upstreamMs = upstreamMs;
    // The service's route template labels the metrics, unless the gateway rewrote the path
    // (then the service's template is not the public one).
    const template = upstream[ROUTE_TEMPLATE_HEADER];
    if (typeof template === 'string' && !ctx.rewritten) ctx.template = template;
    const out: OutgoingHead = {};
    const connection = upstream.connection;
    const listed =
      typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close'
        ? connection.toLowerCase().split(/\s*,\s*/)
        : null;
    for (const k in upstream) {
      if (RESPONSE_DROP.has(k) || listed?.includes(k)) continue;
      out[k] = upstream[k];
    }
    const gatewayMs = performance.now() - ctx.t0 - upstreamMs;
    const timing = `gateway;dur=${Math.round(gatewayMs * 100) / 100}, upstream;dur=${Math.round(upstreamMs * 100) / 100}`;
    mergeHeaders(out, ctx.headers);
    if (ctx.credentialed && out['cache-control'] === undefined) out['cache-control'] = 'no-store';
    out['server-timing'] = upstream['server-timing']
      ? `${String(upstream['server-timing'])}, ${timing}`
      : timing;
    ctx.status = status;
    return out;
  }

  writeHead(status: number, out: OutgoingHead, stream: boolean): void {
    const ctx = this.#ctx;
    const settings = ctx.rt.compression;
    if (settings !== null && !stream && compressible(status, ctx.method, out, settings.threshold)) {
      varyOnEncoding(out);
      const accept = ctx.req.headers['accept-encoding'];
      const coding = negotiate(typeof accept === 'string' ? accept : undefined, settings.encodings);
      if (coding !== null) this.#encoder = encodeBody(out, coding, ctx.res);
    }
    ctx.res.writeHead(status, out);
    // Event streams must reach the client at once: no Nagle delay on small chunks.
    if (stream) ctx.res.flushHeaders();
  }

  start(status: number, upstream: IncomingHttpHeaders, upstreamMs: number): void {
    this.writeHead(status, this.head(status, upstream, upstreamMs), isEventStream(upstream));
  }

  data(chunk: Buffer): boolean {
    this.#ctx.bytes += chunk.length;
    return (this.#encoder ?? this.#ctx.res).write(chunk);
  }

  onDrain(resume: () => void): void {
    if (this.#encoder !== null) this.#encoder.onDrain(resume);
    else this.#ctx.res.once('drain', resume);
  }

  onAbort(target: Cancellable): void {
    // One 'close' listener per connection, not per request: HTTP/1.1 has at most one request
    // in flight per connection, so the socket points at the exchange to cancel.
    const sock = this.#ctx.req.socket as FlightSocket;
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

  /** The exchange is over: a client disconnecting now cancels nothing. */
  release(): void {
    const sock = this.#socket;
    if (sock !== null) sock[IN_FLIGHT] = null;
  }

  retried(): void {
    const ctx = this.#ctx;
    ctx.retries++;
    ctx.gw.metrics.retries.inc({ service: ctx.route!.service });
  }

  end(): void {
    this.release();
    // An encoder ends the response itself once it has flushed the compressed tail.
    (this.#encoder ?? this.#ctx.res).end();
    this.#ctx.done(this.#ctx.status);
  }

  fail(kind: FailureKind, started: boolean, retryAfter: number, err: Error | null): void {
    this.release();
    const ctx = this.#ctx;
    const service = ctx.route!.service;
    ctx.gw.metrics.upstreamErrors.inc({ service, kind });
    if (started || ctx.res.headersSent) {
      this.#encoder?.destroy();
      ctx.res.destroy();
      ctx.done(ctx.status || 502);
      return;
    }
    if (ctx.res.destroyed) {
      ctx.done(499);
      return;
    }
    if (err) ctx.gw.log.warn({ err, request_id: ctx.requestId, service, kind }, 'upstream request failed');
    switch (kind) {
      case 'timeout':
        ctx.problem('gateway_timeout', `The ${service} service did not answer in time`);
        return;
      case 'reset':
        ctx.problem('bad_gateway', `The ${service} service closed the connection`);
        return;
      default:
        ctx.headers.push(['retry-after', String(retryAfter)]);
        ctx.problem('service_unavailable', `The ${service} service is unavailable`);
    }
  }

  abandon(): void {}
}

/**
 * The request's headers as the route's service receives them (flat name/value pairs): filtered
 * (hop-by-hop, client identity claims, the API key), with the caller's passport, the request id
 * and a child trace context. The WebSocket handshake sends the same (websocket/bridge.ts).
 */
export function headersForService(ctx: RequestContext): string[] {
  const passport = ctx.gw.mint.for(ctx.principal, ctx.route!.service, Date.now(), ctx.ip);
  return upstreamHeaders(ctx.req, ctx.rt.trusted, ctx.rt.apiKeyHeader, [
    PASSPORT_HEADER,
    passport,
    'x-request-id',
    ctx.requestId,
    'traceparent',
    ctx.traceparent,
    VERSION_HEADER,
    requestVersion(ctx),
  ]);
}

export const forward: Step = {
  name: 'upstream',
  run(ctx) {
    const route = ctx.route!;
    const svc = ctx.rt.services.get(route.service)!;
    const headers = headersForService(ctx);
    const retryable =
      RETRYABLE_METHODS.has(ctx.method) ||
      (ctx.method === 'POST' && ctx.req.headers['idempotency-key'] !== undefined);
    const target = route.target(ctx.path, ctx.params);
    ctx.rewritten = target !== ctx.path;
    send(
      svc,
      {
        method: ctx.method,
        path: target + ctx.query,
        headers,
        body: ctx.body,
        retryable,
        timeouts: route.timeouts,
        retry: route.retry,
      },
      ctx.sink ?? (ctx.sink = new ClientSink(ctx)),
    );
    return HANDLED;
  },
  describe(p) {
    const route = p.route!;
    const svc = p.rt.services.get(route.service)!;
    const target = route.target(p.path, p.params) + p.query;
    const t = route.timeouts;
    p.note(
      'upstream',
      'pass',
      `${p.method} ${target} on ${route.service} (${svc.settings.balancing}, instances ${svc.instances.map((i) => i.origin).join(', ')}) with a passport for ${route.service}; timeouts connect ${t.connectMs} ms, first byte ${t.firstByteMs} ms, total ${t.totalMs} ms, idle ${t.idleMs} ms; ${route.retry ? `up to ${route.retry.retries} retries for idempotent requests` : 'no retries'}; breaker opens after ${svc.settings.breakerFailures} failures for ${svc.settings.breakerCooldownMs} ms`,
    );
    return `forward ${p.method} ${target} to ${route.service}`;
  },
};
