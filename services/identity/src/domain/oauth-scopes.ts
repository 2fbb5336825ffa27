/**
 * Which requested OAuth scopes a user may grant a client: the OpenID scopes that only release
 * claims, and the permission scopes (and `profile`) whose permissions the user's own cover at
 * the same reach (@portico/contracts `scopeCovered`). Whatever the client asks for, a token
 * can never carry a permission its user lacks. Pure; property-tested (test/oauth-scopes.test.ts).
 */
import { isPermissionScope, OIDC_SCOPES, scopeCovered, scopePermissions } from '@portico/contracts';

const CLAIM_ONLY = new Set<string>(OIDC_SCOPES.filter((s) => scopePermissions(s).length === 0));

/** Whether `scope` is a word identity knows: an OpenID scope or a permission. */
export function isKnownScope(scope: string): boolean {
  return (OIDC_SCOPES as readonly string[]).includes(scope) || isPermissionScope(scope);
}

/** The words of `requested` the holder of `permissions` may grant; the others are dropped. */
export function grantableScopes(permissions: readonly string[], requested: readonly string[]): string[] {
  return [
    ...new Set(
      requested.filter(
        (s) =>
          CLAIM_ONLY.has(s) ||
          (isKnownScope(s) && scopePermissions(s).every((p) => scopeCovered(permissions, p))),
      ),
    ),
  ];
}

/** The scopes a token addressed to Portico's API may carry: those implying permissions. */
export function apiScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => scopePermissions(s).length > 0);
}

/** The `sid` of a client's own tokens (client credentials), so deleting the client revokes them. */
export function clientSessionId(clientId: string): string {
  return `client:${clientId}`;
}
