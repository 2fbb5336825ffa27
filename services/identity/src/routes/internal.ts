/**
 * The gateway's API-key check (contracts/identity.ts API_KEY_VERIFY_PATH). Only a service
 * passport may call it; anyone else gets 404, as if it did not exist. The gateway caches the
 * answer briefly and drops it on `api_key.revoked` / `user.disabled`.
 */
import { AppError, permissionsForRoles, type ServiceApp } from '@portico/kit';
import { API_KEY_VERIFY_PATH, type ApiKeyVerifyResponse } from '@portico/contracts';
import type { IdentityContext } from '../context.ts';
import { effectiveScopes } from '../domain/api-key-scopes.ts';
import { looksLikeApiKey, sha256 } from '../domain/secrets.ts';
import { findApiKeyByHash, touchApiKey } from '../repository/api-keys.ts';
import { ApiKeyVerifyBody, ApiKeyVerifyResult } from '../schemas.ts';

export function internalRoutes(app: ServiceApp, ctx: IdentityContext): void {
  const { deps } = ctx;
  app.post(
    API_KEY_VERIFY_PATH,
    {
      config: { auth: 'optional' },
      schema: { hide: true, body: ApiKeyVerifyBody, response: { 200: ApiKeyVerifyResult } },
    },
    async (req): Promise<ApiKeyVerifyResponse> => {
      if (req.caller.auth !== 'service')
        throw new AppError('not_found', `No route for ${req.method} ${API_KEY_VERIFY_PATH}`);
      const { key } = req.body;
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
      };
    },
  );
}
