/**
 * API-key scopes: each must be covered by the owner's permissions *with the same reach*. An
 * owner holding only `orders:*:own` may grant `orders:read:own` but not `orders:read` — the
 * latter would let the key act on every customer's orders once the gateway put it in a passport.
 */
import { permissionScope } from '@portico/kit';

export const SCOPE_PATTERN = '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$';

export function isOwnScope(scope: string): boolean {
  return scope.split(':').length === 3 && scope.endsWith(':own');
}

/** Whether `permissions` cover `scope` at the scope's own reach. */
export function scopeCovered(permissions: readonly string[], scope: string): boolean {
  const reach = permissionScope(permissions, scope);
  return reach === 'all' || (reach === 'own' && isOwnScope(scope));
}

/** The requested scopes the owner cannot grant (empty: all fine). */
export function uncoveredScopes(permissions: readonly string[], scopes: readonly string[]): string[] {
  return scopes.filter((s) => !scopeCovered(permissions, s));
}

/** What a key may do now: its scopes that the owner's current permissions still cover. */
export function effectiveScopes(permissions: readonly string[], scopes: readonly string[]): string[] {
  return scopes.filter((s) => scopeCovered(permissions, s));
}
