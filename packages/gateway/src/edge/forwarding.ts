/**
 * What crosses the gateway and what does not. Request: hop-by-hop fields (RFC 9110 §7.6.1)
 * and every client-supplied identity header are dropped, `X-Forwarded-*` are rebuilt from
 * what the gateway saw (kept from the client only through trusted proxies). Response:
 * hop-by-hop fields and `X-Powered-By` are dropped.
 */
import { ROUTE_TEMPLATE_HEADER } from '@portico/kit/runtime';
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import { API_KEY_PREFIX } from '@portico/contracts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers never forwarded: identity a client might forge, and what the gateway sets itself. */
const DROP_REQUEST = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  'expect',
  'x-portico-passport',
  'x-user-id',
  'request-user-id',
  'x-user-roles',
  'x-user-email',
  'x-user-permissions',
  'x-roles',
  'x-caller',
  'x-service-name',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-remote-user',
  'remote-user',
  'x-request-id',
  'traceparent',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
  'forwarded',
  // Set by the gateway to the version the request runs at (pipeline/api-version.ts).
  'portico-version',
]);

/** Prefixes of identity-bearing headers some gateways and frameworks trust. */
const DROP_PREFIXES = [
  'x-user-',
  'x-portico-',
  'x-auth-',
  'x-authenticated-',
  'x-consumer-',
  'x-credential-',
  'x-jwt-',
];

export const RESPONSE_DROP = new Set([...HOP_BY_HOP, 'x-powered-by', ROUTE_TEMPLATE_HEADER]);

function dropped(lower: string, extra: string | null): boolean {
  if (DROP_REQUEST.has(lower) || lower === extra) return true;
  if (lower.charCodeAt(0) === 120 /* x */ && lower.charCodeAt(1) === 45 /* - */)
    for (const p of DROP_PREFIXES) if (lower.startsWith(p)) return true;
  return false;
}

export function normalizeIp(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * The client address: the peer, or — when the peer is a trusted proxy — the right-most
 * `X-Forwarded-For` entry that is not itself trusted.
 */
export function clientIp(req: IncomingMessage, trusted: BlockList | null): string {
  const peer = normalizeIp(req.socket.remoteAddress);
  if (trusted === null || !isTrusted(trusted, peer)) return peer;
  const xff = req.headers['x-forwarded-for'];
  if (typeof xff !== 'string') return peer;
  const hops = xff.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = normalizeIp(hops[i]!.trim());
    if (ip && !isTrusted(trusted, ip)) return ip;
  }
  return peer;
}

function isTrusted(list: BlockList, ip: string): boolean {
  return list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
}

/**
 * The flat header list for the upstream request: the client's headers minus the dropped
 * ones, then the forwarding headers and `extra` (passport, request id, traceparent).
 * `dropHeader` names one more header to drop (the API-key header).
 */
export function upstreamHeaders(
  req: IncomingMessage,
  trusted: BlockList | null,
  dropHeader: string | null,
  extra: string[],
): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (dropped(lower, dropHeader)) continue;
    // API keys never leave the gateway; a bearer JWT may (identity's logout reads it).
    if (lower === 'authorization' && raw[i + 1]!.includes(API_KEY_PREFIX)) continue;
    out.push(lower, raw[i + 1]!);
  }
  const peer = normalizeIp(req.socket.remoteAddress);
  const viaTrusted = trusted !== null && isTrusted(trusted, peer);
  const prior = viaTrusted ? req.headers['x-forwarded-for'] : undefined;
  out.push('x-forwarded-for', typeof prior === 'string' && prior ? `${prior}, ${peer}` : peer);
  const proto = viaTrusted ? req.headers['x-forwarded-proto'] : undefined;
  out.push(
    'x-forwarded-proto',
    typeof proto === 'string' ? proto : 'encrypted' in req.socket ? 'https' : 'http',
  );
  const host = (viaTrusted ? req.headers['x-forwarded-host'] : undefined) ?? req.headers.host;
  if (typeof host === 'string') out.push('x-forwarded-host', host);
  for (let i = 0; i < extra.length; i++) out.push(extra[i]!);
  return out;
}
