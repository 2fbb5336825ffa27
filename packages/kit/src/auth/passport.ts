/**
 * The gateway passport: a short-lived token the gateway mints for one service, carrying the
 * caller. Services verify it on every request; a request without one is refused (401).
 *
 * Format: `p1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(key, "p1." + claims))>`.
 * The key is derived per service from the gateway's root secret:
 * `HMAC-SHA256(root, "portico-passport:" + service)`, so a compromised service holds only the
 * key for itself (it can mint passports only to itself). HMAC is used because the check runs
 * on every request: a bare HMAC verifies at ~300k/s per core against ~8–9k/s for ES256 with
 * jose (architecture.md); the gateway also reuses a passport for its lifetime per caller.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Caller } from './caller.ts';

/** Response header naming the service route that answered (`/api/v1/tasks/:id`); the gateway drops it. */
export const ROUTE_TEMPLATE_HEADER = 'x-portico-route';

export const PASSPORT_HEADER = 'x-portico-passport';
export const PASSPORT_TTL_SECONDS = 60;
const PREFIX = 'p1.';

interface PassportClaims {
  aud: string;
  iat: number;
  exp: number;
  sub: string | null;
  roles: string[];
  perms: string[];
  auth: Caller['auth'];
  sid?: string;
  kid?: string;
  svc?: string;
  /** The client's address as the gateway determined it (see Caller.clientIp). */
  ip?: string;
}

/**
 * The per-service passport key, derived from the root secret. A `KeyObject`, not a Buffer:
 * `createHmac` with a KeyObject costs ~1.5 µs of CPU against ~10 µs with a Buffer (measured in
 * the gateway's profile), and this runs on every request of every service.
 */
export function derivePassportKey(rootSecret: string | Buffer, service: string): KeyObject {
  return createSecretKey(createHmac('sha256', rootSecret).update(`portico-passport:${service}`).digest());
}

function sign(key: KeyObject, payload: string): string {
  return createHmac('sha256', key).update(PREFIX).update(payload).digest('base64url');
}

/** Mints a passport for `service` (the audience) carrying `caller`. */
export function mintPassport(
  key: KeyObject,
  service: string,
  caller: Caller,
  opts: { ttlSeconds?: number; now?: number } = {},
): { token: string; expiresAt: number } {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const exp = now + (opts.ttlSeconds ?? PASSPORT_TTL_SECONDS);
  const claims: PassportClaims = {
    aud: service,
    iat: now,
    exp,
    sub: caller.id,
    roles: caller.roles,
    perms: caller.permissions,
    auth: caller.auth,
  };
  if (caller.sessionId) claims.sid = caller.sessionId;
  if (caller.apiKeyId) claims.kid = caller.apiKeyId;
  if (caller.service) claims.svc = caller.service;
  if (caller.clientIp) claims.ip = caller.clientIp;
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return { token: `${PREFIX}${payload}.${sign(key, payload)}`, expiresAt: exp * 1000 };
}

export type PassportFailure = 'missing' | 'malformed' | 'bad_signature' | 'wrong_audience' | 'expired';

/**
 * Verifies a passport for `service`. Returns the caller or the reason it failed; never throws.
 * Allows 5 s of clock skew between gateway and service (RFC 8725 §3.10 spirit).
 */
export function verifyPassport(
  key: KeyObject,
  service: string,
  token: string | undefined,
  now = Date.now(),
): { ok: true; caller: Caller } | { ok: false; reason: PassportFailure } {
  if (!token) return { ok: false, reason: 'missing' };
  if (!token.startsWith(PREFIX)) return { ok: false, reason: 'malformed' };
  const dot = token.indexOf('.', PREFIX.length);
  if (dot < 0) return { ok: false, reason: 'malformed' };
  const payload = token.slice(PREFIX.length, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(key, payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let claims: PassportClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PassportClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.aud !== service) return { ok: false, reason: 'wrong_audience' };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 + 5000 < now)
    return { ok: false, reason: 'expired' };
  const caller: Caller = {
    id: claims.sub ?? null,
    roles: Array.isArray(claims.roles) ? claims.roles : [],
    permissions: Array.isArray(claims.perms) ? claims.perms : [],
    auth: claims.auth,
  };
  if (claims.sid) caller.sessionId = claims.sid;
  if (claims.kid) caller.apiKeyId = claims.kid;
  if (claims.svc) caller.service = claims.svc;
  if (typeof claims.ip === 'string' && claims.ip) caller.clientIp = claims.ip;
  return { ok: true, caller };
}
