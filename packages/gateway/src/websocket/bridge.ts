/**
 * Relaying one WebSocket connection (RFC 6455) once the handshake passed every step: the gateway
 * opens the upstream connection first (with the passport, request id, trace context and the
 * forwarding headers, never the client's API key), accepts the client's upgrade only when the
 * service accepted it (offering the subprotocol the service chose), then relays messages both
 * ways until either side closes. A service that refuses the handshake has its answer (status and
 * problem body) passed to the client; a service that cannot be reached is a 502/503.
 *
 * Built on the `ws` package rather than piping the raw sockets after the handshake: the gateway
 * must be able to end a connection itself (a revoked or expired credential, shutdown) with a
 * close frame the client can read (1008 "credential revoked"), and to cap message sizes, which
 * needs frame boundaries. Frames are parsed and re-framed at the gateway; it is not the hot path
 * of a notification stream.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { mergeHeaders } from '../edge/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';
import { headersForService } from '../pipeline/forward.ts';
import type { LiveConnection } from './connections.ts';

export interface Upgrade {
  socket: Duplex;
  head: Buffer;
}

/** The subprotocol each accepted upstream chose, read by the client-side server's `handleProtocols`. */
const chosen = new WeakMap<IncomingMessage, string>();
const accepting = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  perMessageDeflate: false,
  handleProtocols: (_offered, req) => chosen.get(req) || false,
});

/** Close codes an endpoint may send (RFC 6455 §7.4.1–2): 1005, 1006 and 1015 are only reported. */
function sendable(code: number): number {
  if (code === 1005) return 1000;
  if (code === 1006 || code === 1015 || code < 1000 || code >= 5000) return 1011;
  return code;
}

/** The client's handshake headers for the service: filtered as for any request, minus RFC 6455's own. */
function headersFor(ctx: RequestContext): Record<string, string> {
  const flat = headersForService(ctx);
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2)
    if (!flat[i]!.startsWith('sec-websocket-')) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Answers the handshake with the service's refusal, as its answer to a request would be. */
function passRefusal(ctx: RequestContext, res: IncomingMessage): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.once('end', () => {
    const body = Buffer.concat(chunks);
    const out: Record<string, string | string[]> = {};
    const type = res.headers['content-type'];
    if (type !== undefined) out['content-type'] = type;
    mergeHeaders(out, ctx.headers);
    out['content-length'] = String(body.length);
    ctx.res.writeHead(res.statusCode ?? 502, out);
    ctx.res.end(body);
    ctx.done(res.statusCode ?? 502);
  });
}

/**
 * Opens the service's side, then accepts the client's; `opened` gets the live connection (to
 * register) or null when the handshake failed (the client has its answer); `closed` runs once
 * the connection is over.
 */
export function relay(
  ctx: RequestContext,
  upgrade: Upgrade,
  hooks: { opened(conn: LiveConnection | null): void; closed(conn: LiveConnection): void },
): void {
  const route = ctx.route!;
  const svc = ctx.rt.services.get(route.service)!;
  const instance = svc.pick(Date.now(), null);
  if (instance === null) {
    hooks.opened(null);
    ctx.headers.push(['retry-after', '5']);
    ctx.problem('service_unavailable', `The ${route.service} service is unavailable`);
    return;
  }
  const target = `${instance.origin.replace(/^http/, 'ws')}${route.target(ctx.path, ctx.params)}${ctx.query}`;
  const offered = ctx.req.headers['sec-websocket-protocol'];
  const protocols = offered ? offered.split(',').map((p) => p.trim()) : [];
  const max = ctx.rt.websockets.maxMessage;
  const upstream = new WebSocket(target, protocols, {
    headers: headersFor(ctx),
    perMessageDeflate: false,
    maxPayload: max,
    handshakeTimeout: route.timeouts.firstByteMs,
    followRedirects: false,
  });
  let settled = false;
  const fail = (code: 'bad_gateway' | 'service_unavailable', detail: string) => {
    if (settled) return;
    settled = true;
    hooks.opened(null);
    if (code === 'service_unavailable') ctx.headers.push(['retry-after', '5']);
    ctx.problem(code, detail);
  };
  // The client went away during the upstream handshake.
  upgrade.socket.once('close', () => {
    if (!settled) {
      settled = true;
      hooks.opened(null);
      upstream.terminate();
    }
  });
  upstream.once('unexpected-response', (_req, res) => {
    if (settled) return;
    settled = true;
    hooks.opened(null);
    passRefusal(ctx, res);
  });
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    ctx.gw.log.warn({ err, request_id: ctx.requestId, service: route.service }, 'WebSocket upstream failed');
    if (err.code === 'ECONNREFUSED')
      fail('service_unavailable', `The ${route.service} service is unavailable`);
    else fail('bad_gateway', `The ${route.service} service did not accept the WebSocket`);
  });
  upstream.once('open', () => {
    if (settled) return upstream.terminate();
    settled = true;
    if (upstream.protocol) chosen.set(ctx.req, upstream.protocol);
    // The socket belongs to `ws` from here on; the handshake's stand-in response lets go of it.
    ctx.res.detachSocket(upgrade.socket as never);
    accepting.handleUpgrade(ctx.req, upgrade.socket, upgrade.head, (client) => {
      ctx.done(101);
      bind(ctx, client, upstream, hooks);
    });
  });
}

function bind(
  ctx: RequestContext,
  client: WebSocket,
  upstream: WebSocket,
  hooks: { opened(conn: LiveConnection | null): void; closed(conn: LiveConnection): void },
): void {
  let over = false;
  const conn: LiveConnection = {
    principal: ctx.principal,
    close(code, reason) {
      client.close(code, reason);
      upstream.close(1000, 'client connection ended');
      // A peer that never answers the close frame is cut off.
      setTimeout(() => {
        client.terminate();
        upstream.terminate();
      }, 2000).unref();
    },
  };
  const end = () => {
    if (over) return;
    over = true;
    hooks.closed(conn);
  };
  const forward = (to: WebSocket) => (data: RawData, isBinary: boolean) => {
    if (to.readyState === WebSocket.OPEN) to.send(data, { binary: isBinary });
  };
  client.on('message', forward(upstream));
  upstream.on('message', forward(client));
  client.once('close', (code, reason) => {
    end();
    if (upstream.readyState === WebSocket.OPEN) upstream.close(sendable(code), reason);
  });
  upstream.once('close', (code, reason) => {
    end();
    if (client.readyState === WebSocket.OPEN) client.close(sendable(code), reason);
  });
  client.on('error', () => upstream.terminate());
  upstream.on('error', () => client.terminate());
  hooks.opened(conn);
}
