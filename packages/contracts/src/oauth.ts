/**
 * OAuth 2.0 / OpenID Connect scopes as Portico reads them, shared by identity (which grants
 * them) and the gateway (which turns a token's `scope` claim into the caller's permissions).
 *
 * A scope is either one of the OpenID Connect scopes (OIDC Core §5.4, RFC 6749 offline access)
 * or a Portico permission (`resource:action[:own]`, e.g. `tasks:read`). An access token issued
 * through the OAuth endpoints carries `scope` (RFC 9068 §2.2.3); its caller's permissions are
 * the permission scopes — for a user's token only those the user's roles still cover at the
 * same reach, so a token never grants more than its user holds, even after a demotion.
 */
import { permissionScope } from '@portico/kit';

/** OpenID Connect scopes identity serves; they release claims, not permissions (except `profile`). */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Permissions an OpenID scope implies: `profile` reads the user's own profile (`/api/v1/auth/me`). */
const OIDC_SCOPE_PERMISSIONS: Record<string, string[]> = { profile: ['profile:read:own'] };

/** A Portico permission as a scope: `resource:action` or `resource:action:own` (`*` allowed). */
export const PERMISSION_SCOPE_PATTERN = '^[a-z*][a-z0-9_*-]*(:[a-z*][a-z0-9_*-]*){0,2}$';
const PERMISSION_SCOPE = new RegExp(PERMISSION_SCOPE_PATTERN);

export function isPermissionScope(scope: string): boolean {
  return scope.includes(':') && PERMISSION_SCOPE.test(scope);
}

/** Whether a scope ends in `:own` (reaches only the caller's own records). */
export function isOwnScope(scope: string): boolean {
  return scope.split(':').length === 3 && scope.endsWith(':own');
}

/** Whether `permissions` cover `scope` at the scope's own reach (`orders:*:own` covers `orders:read:own`, not `orders:read`). */
export function scopeCovered(permissions: readonly string[], scope: string): boolean {
  const reach = permissionScope(permissions, scope);
  return reach === 'all' || (reach === 'own' && isOwnScope(scope));
}

/** The Portico permissions a space-separated `scope` names (OpenID scopes mapped, unknown words dropped). */
export function scopePermissions(scope: string): string[] {
  const out: string[] = [];
  for (const word of scope.split(' ')) {
    if (word === '') continue;
    const implied = OIDC_SCOPE_PERMISSIONS[word];
    if (implied) out.push(...implied);
    else if (isPermissionScope(word)) out.push(word);
  }
  return [...new Set(out)];
}

/**
 * The permissions a scoped access token gives its caller: its scope's permissions, narrowed to
 * what `holderPermissions` cover when the token acts for a user (null: a client acting as
 * itself, whose scopes an admin granted — client credentials, RFC 6749 §4.4).
 */
export function tokenPermissions(scope: string, holderPermissions: readonly string[] | null): string[] {
  const asked = scopePermissions(scope);
  return holderPermissions === null ? asked : asked.filter((s) => scopeCovered(holderPermissions, s));
}
