/**
 * The gateway's API-key check: unknown, malformed, revoked or expired keys and keys of a
 * disabled owner are `{valid: false}`; a valid key's scopes are narrowed to what its owner
 * still holds. `last_used_at` is written at most once a minute, off the response path.
 */
import { permissionsForRoles } from '@portico/kit';
import type { ApiKeyVerifyResponse } from '@portico/contracts';
import type { Deps } from '../deps.ts';
import { effectiveScopes } from '../domain/api-key-scopes.ts';
import { looksLikeApiKey, sha256 } from '../domain/secrets.ts';
import { findApiKeyByHash, touchApiKey } from '../repository/api-keys.ts';

export async function verifyApiKey(deps: Deps, key: string): Promise<ApiKeyVerifyResponse> {
  if (!looksLikeApiKey(key)) return { valid: false };
  const row = await findApiKeyByHash(deps.db, sha256(key));
  if (!row || row.revoked_at || row.owner_status !== 'active') return { valid: false };
  if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) return { valid: false };
  // Off the response path: a failed timestamp write must not refuse a valid key.
  touchApiKey(deps.db, row.id).catch((err: unknown) =>
    deps.log.warn({ err }, 'api key last_used_at not updated'),
  );
  return {
    valid: true,
    api_key_id: row.id,
    user_id: row.user_id,
    roles: row.owner_roles,
    // A demoted owner's key loses what the owner lost.
    scopes: effectiveScopes(permissionsForRoles(row.owner_roles), row.scopes),
    expires_at: row.expires_at ? new Date(row.expires_at).toISOString() : null,
    api_version: row.api_version,
    // The key's own plan, else its owner's (docs/plans.md).
    plan: row.plan ?? row.owner_plan,
  };
}
