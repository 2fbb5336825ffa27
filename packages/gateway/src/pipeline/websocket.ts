/**
 * WebSockets (`websocket: true` on a route, `websockets:` in portico.yaml): a handshake
 * (`GET` with `Upgrade: websocket`) runs through the same steps as any request — route, CORS,
 * authentication, API-key scope, permission, rate limits — and then, instead of the upstream
 * step, is relayed to the service (`websocket/bridge.ts`) within the caller's connection cap. A
 * browser, which cannot set `Authorization` on a handshake, first gets a single-use ticket from
 * `POST /api/v1/ws-tickets` and passes `?ticket=` (`websocket/tickets.ts`). Open connections are
 * closed when their credential is revoked or expires (`websocket/connections.ts`).
 */
import { findCredential } from '../auth/authenticate.ts';
import { writeJson } from '../edge/respond.ts';
import { issueTicket, redeemTicket, takeTicketParam } from '../websocket/tickets.ts';
import { relay } from '../websocket/bridge.ts';
import { deny } from './authenticate.ts';
import { HANDLED, type Step, type StepResult } from './step.ts';
import type { RequestContext } from './context.ts';

const BAD_TICKET = {
  ok: false,
  status: 401,
  code: 'invalid_token',
  reason: 'invalid_ticket',
  detail: 'The WebSocket ticket is unknown, already used, expired or issued to another client',
  tokenGiven: true,
} as const;

function storeDown(ctx: RequestContext): StepResult {
  ctx.headers.push(['retry-after', '1']);
  ctx.problem('service_unavailable', 'WebSocket tickets cannot be checked right now');
  return HANDLED;
}

/** Before authentication: a handshake's `?ticket=` becomes the credential it was issued for. */
export const redeemWsTicket: Step = {
  name: 'websocket ticket',
  run(ctx) {
    if (ctx.upgrade === null || !ctx.route!.websocket) return undefined;
    const { ticket, rest } = takeTicketParam(ctx.query);
    if (ticket === null) return undefined;
    // The ticket is never sent on to the service.
    ctx.query = rest;
    if (findCredential(ctx.req.headers, ctx.rt.apiKeyHeader) !== null) return undefined;
    return redeemTicket(ctx.gw.store, ticket, ctx.ip).then(
      (authorization): StepResult => {
        if (authorization === null) return deny(ctx, BAD_TICKET);
        // Read by the authentication step like a header the client sent (never forwarded: the
        // upstream headers come from the raw header list).
        ctx.req.headers.authorization = authorization;
        return undefined;
      },
      () => storeDown(ctx),
    );
  },
  describe(p) {
    if (!p.route!.websocket || p.headers.upgrade?.toLowerCase() !== 'websocket') return undefined;
    if (takeTicketParam(p.query).ticket !== null)
      p.note(
        'websocket ticket',
        'info',
        'redeems ?ticket= once (issued by POST /api/v1/ws-tickets to this client address) as the credential it stands for; unknown, used or expired → 401 invalid_token',
      );
    return undefined;
  },
};

/** `POST /api/v1/ws-tickets`: a single-use ticket standing for the caller's credential. */
export const issueWsTicket: Step = {
  name: 'websocket tickets',
  run(ctx) {
    if (ctx.route!.kind !== 'ws-ticket') return undefined;
    const cred = findCredential(ctx.req.headers, ctx.rt.apiKeyHeader);
    if (cred === null || 'ok' in cred) return undefined; // authentication refused it already
    const ttl = ctx.rt.websockets.ticketTtlMs;
    return issueTicket(ctx.gw.store, `Bearer ${cred.value}`, ctx.ip, ttl).then(
      (ticket): StepResult => {
        ctx.headers.push(['cache-control', 'no-store']);
        const expires = new Date(Date.now() + ttl).toISOString();
        writeJson(ctx.res, 201, ctx.headers, { ticket, expires_at: expires });
        ctx.done(201);
        return HANDLED;
      },
      () => storeDown(ctx),
    );
  },
  describe(p) {
    if (p.route!.kind !== 'ws-ticket') return undefined;
    return `answered by the gateway: 201 {ticket, expires_at}, a single-use ticket for ?ticket= on a WebSocket route, valid ${p.rt.websockets.ticketTtlMs / 1000} s, bound to this client address`;
  },
};

/** In place of the upstream step for a handshake: the relay, within the caller's cap. */
export const websocket: Step = {
  name: 'websocket',
  run(ctx) {
    const upgrade = ctx.upgrade;
    if (upgrade === null) return undefined;
    const route = ctx.route!;
    if (!route.websocket || ctx.method !== 'GET') {
      ctx.problem('malformed_request', `${ctx.path} does not accept WebSocket upgrades`);
      return HANDLED;
    }
    const caller = ctx.principal.scope ?? `ip:${ctx.ip}`;
    const max = ctx.rt.websockets.maxPerCaller;
    const connections = ctx.gw.connections;
    if (!connections.reserve(caller, max)) {
      ctx.headers.push(['retry-after', '5']);
      ctx.problem('rate_limited', `At most ${max} WebSocket connections per caller are open at once`);
      return HANDLED;
    }
    relay(ctx, upgrade, {
      opened: (conn) => connections.settle(caller, conn),
      closed: (conn) => connections.remove(caller, conn),
    });
    return HANDLED;
  },
  describe(p) {
    const route = p.route!;
    const upgrading = p.headers.upgrade?.toLowerCase() === 'websocket';
    if (!upgrading) {
      if (route.websocket) p.note('websocket', 'info', 'this route also takes Upgrade: websocket (GET)');
      return undefined;
    }
    if (!route.websocket || p.method !== 'GET') {
      p.note('websocket', 'deny', 'the route does not take WebSocket upgrades');
      return '400 malformed_request';
    }
    p.note(
      'websocket',
      'pass',
      `handshake relayed to ${route.service} with a passport once it accepts; at most ${p.rt.websockets.maxPerCaller} connections per caller (429 past it); messages up to ${p.rt.websockets.maxMessage} bytes; closed with 1008 when the credential is revoked or expires`,
    );
    return `upgrade to WebSocket, relayed to ${route.service}`;
  },
};
