/**
 * The caller a request acts for, as the gateway vouched for it in the passport. Handlers never
 * read identity from client headers: only from here.
 */
import { permissionScope } from './permissions.ts';

export type AuthMethod = 'jwt' | 'api_key' | 'service' | 'anonymous';

export interface Caller {
  /** The user id (`sub`), or null for an anonymous caller. */
  id: string | null;
  roles: string[];
  permissions: string[];
  auth: AuthMethod;
  /** The identity session the access token belongs to (JWT callers). */
  sessionId?: string;
  /** The API key used (API-key callers). */
  apiKeyId?: string;
  /** The calling service (service-to-service calls). */
  service?: string;
  /**
   * The client's network address as the gateway saw it (the peer, or the address a trusted
   * proxy reported). It travels signed inside the passport, so throttles and audit logs key on
   * it instead of on `X-Forwarded-For`, which a client can set. Absent on calls that did not
   * come from a client (jobs, the CLI).
   */
  clientIp?: string;
  /**
   * The API version the credential is pinned to (docs/versions.md), as the gateway learnt it
   * when authenticating. Services read `req.apiVersion`, the version the request runs at.
   */
  apiVersion?: string;
  /**
   * The consumer plan identity assigned (an API key's own, else its owner's; docs/plans.md), as
   * the gateway learnt it when authenticating; absent: the gateway's default plan.
   */
  plan?: string;
}

export const anonymousCaller: Caller = Object.freeze({
  id: null,
  roles: [],
  permissions: [],
  auth: 'anonymous',
}) as Caller;

/**
 * Whether the caller holds `permission`. With `ownerId`, an `:own` grant passes only when the
 * record belongs to the caller; without it, an `:own` grant passes (the handler must then
 * restrict its query to the caller's records — see `scopeOf`).
 *
 * @example
 *   if (!can(caller, 'orders:read', { ownerId: order.customer_id })) throw AppError.notFound('Order');
 */
export function can(caller: Caller, permission: string, opts: { ownerId?: string | null } = {}): boolean {
  const scope = permissionScope(caller.permissions, permission);
  if (scope === 'all') return true;
  if (scope === 'own')
    return opts.ownerId === undefined || (caller.id !== null && opts.ownerId === caller.id);
  return false;
}

/** 'all' (every record), 'own' (only the caller's) or false (none). */
export function scopeOf(caller: Caller, permission: string): 'all' | 'own' | false {
  return permissionScope(caller.permissions, permission);
}

export function hasRole(caller: Caller, ...roles: string[]): boolean {
  return caller.roles.some((r) => roles.includes(r));
}
