/**
 * API keys: `pk_live_` + 256 random bits, shown once at creation and stored as a SHA-256 hash.
 * Scopes must be covered by the owner's permissions at the same reach (and, for a key minted
 * with an API key, by that key's). Revocation publishes `api_key.revoked` so the gateway drops
 * its cached verification at once.
 */
import { AppError, can, LATEST_API_VERSION, permissionsForRoles, type Caller } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { effectiveScopes, uncoveredScopes } from '../domain/api-key-scopes.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { newApiKey } from '../domain/secrets.ts';
import { publishApiKeyRevoked } from '../events.ts';
import { findLiveApiKey, insertApiKey, markApiKeyRevoked, setApiKeyVersion } from '../repository/api-keys.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { findUserById } from '../repository/users.ts';
import type { ApiKeyRow } from '../tables.ts';

export async function createApiKey(
  deps: Deps,
  caller: Caller,
  input: {
    name: string;
    scopes?: string[] | undefined;
    expires_at?: string | null | undefined;
    api_version?: string | undefined;
  },
  facts: RequestFacts,
): Promise<{ row: ApiKeyRow; key: string }> {
  const owner = await findUserById(deps.db, caller.id!);
  if (!owner || owner.status !== 'active') throw AppError.notFound('User');
  const ownerPermissions = permissionsForRoles(owner.roles);
  // A key minted with an API key can grant no more than that key holds.
  const viaKey = caller.auth === 'api_key';
  const scopes =
    input.scopes ?? (viaKey ? effectiveScopes(ownerPermissions, caller.permissions) : ownerPermissions);
  const missing = [
    ...new Set([
      ...uncoveredScopes(ownerPermissions, scopes),
      ...(viaKey ? uncoveredScopes(caller.permissions, scopes) : []),
    ]),
  ];
  if (missing.length) {
    throw AppError.validation(
      missing.map((s) => ({
        field: `scopes.${scopes.indexOf(s)}`,
        code: 'not_permitted',
        message: `${s} is not among your permissions`,
      })),
    );
  }
  const expiresAt = input.expires_at ? new Date(input.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw AppError.validation([{ field: 'expires_at', code: 'in_past', message: 'must be in the future' }]);
  }
  const secret = newApiKey();
  const row = await deps.tx(async (trx) => {
    const r = await insertApiKey(trx, {
      id: uuidv7(),
      user_id: owner.id,
      name: input.name,
      key_hash: secret.hash,
      prefix: secret.prefix,
      last4: secret.last4,
      scopes,
      expires_at: expiresAt,
      // Pinned to the version current at creation unless the owner names one (docs/versions.md).
      api_version: input.api_version ?? LATEST_API_VERSION,
    });
    await appendAudit(
      trx,
      {
        actor_id: owner.id,
        action: 'api_key.created',
        target: r.id,
        outcome: 'success',
        details: { name: r.name, scopes, prefix: r.prefix },
      },
      facts,
    );
    return r;
  });
  return { row, key: secret.key };
}

/** Owners revoke their own keys, admins anyone's; any other key is a 404. */
export async function revokeApiKey(
  deps: Deps,
  caller: Caller,
  id: string,
  facts: RequestFacts,
): Promise<void> {
  await deps.tx(async (trx) => {
    const row = await findLiveApiKey(trx, id, { forUpdate: true });
    if (!row || !can(caller, 'api-keys:delete', { ownerId: row.user_id })) throw AppError.notFound('API key');
    await markApiKeyRevoked(trx, row.id);
    await publishApiKeyRevoked(deps, trx, { api_key_id: row.id, user_id: row.user_id });
    await appendAudit(
      trx,
      {
        actor_id: caller.id,
        action: 'api_key.revoked',
        target: row.id,
        outcome: 'success',
        details: { owner_id: row.user_id, name: row.name },
      },
      facts,
    );
  });
}

/**
 * Re-pins a key to another API version (its owner, or an admin). The gateway caches a verified
 * key for `identity.api_key_cache_ttl`, so the change applies within that time.
 */
export async function repinApiKey(
  deps: Deps,
  caller: Caller,
  id: string,
  apiVersion: string,
): Promise<ApiKeyRow> {
  return deps.tx(async (trx) => {
    const row = await findLiveApiKey(trx, id, { forUpdate: true });
    if (!row || !can(caller, 'api-keys:update', { ownerId: row.user_id })) throw AppError.notFound('API key');
    return (await setApiKeyVersion(trx, id, apiVersion))!;
  });
}
