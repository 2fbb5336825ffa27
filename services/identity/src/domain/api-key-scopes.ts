/**
 * API-key scopes: each must be covered by the owner's permissions *with the same reach*. An
 * owner holding only `orders:*:own` may grant `orders:read:own` but not `orders:read` — the
 * latter would let the key act on every customer's orders once the gateway put it in a passport.
 * The covering rule is shared with OAuth scopes and the gateway (@portico/contracts, oauth.ts).
 */
import { scopeCovered } from '@portico/contracts';

export { isOwnScope, scopeCovered, PERMISSION_SCOPE_PATTERN as SCOPE_PATTERN } from '@portico/contracts';

/** The requested scopes the owner cannot grant (empty: all fine). */
export function uncoveredScopes(permissions: readonly string[], scopes: readonly string[]): string[] {
  return scopes.filter((s) => !scopeCovered(permissions, s));
}

/** What a key may do now: its scopes that the owner's current permissions still cover. */
export function effectiveScopes(permissions: readonly string[], scopes: readonly string[]): string[] {
  return scopes.filter((s) => scopeCovered(permissions, s));
}
