/**
 * Events identity publishes (through the outbox, in the transaction of the change) and the one
 * it consumes. Data shapes are the agreed contracts in @portico/contracts (`IdentityEvents`);
 * each event carries the request's trace on its own (the kit's AsyncLocalStorage scope).
 */
import {
  IDENTITY_EVENTS,
  type AccessTokenRevokedData,
  type PlanChangedData,
  type ApiKeyRevokedData,
  type SessionRevokedData,
  type UserDisabledData,
  type UserRegisteredData,
  type UserRegistrationAttemptedData,
  type UserRolesChangedData,
  type UserUpdatedData,
} from '@portico/contracts';
import type { Deps, Trx } from './deps.ts';
import type { UserRow } from './tables.ts';

export const PUBLISHED_EVENTS = [
  'user.registered',
  'user.registration_attempted',
  'user.updated',
  'user.disabled',
  IDENTITY_EVENTS.userRolesChanged,
  IDENTITY_EVENTS.sessionRevoked,
  IDENTITY_EVENTS.apiKeyRevoked,
  IDENTITY_EVENTS.accessTokenRevoked,
  IDENTITY_EVENTS.planChanged,
] as const;

const opts = (subject: string) => ({ subject });

/** When the last access token issued now expires, plus a minute of clock skew. */
export function tokensExpireAt(deps: Deps): string {
  return new Date(Date.now() + (deps.settings.IDENTITY_ACCESS_TOKEN_TTL + 60) * 1000).toISOString();
}

export async function publishSessionRevoked(
  deps: Deps,
  trx: Trx,
  userId: string,
  sessionIds: string[],
  reason: SessionRevokedData['reason'],
): Promise<void> {
  if (sessionIds.length === 0) return;
  const data: SessionRevokedData = {
    user_id: userId,
    session_ids: sessionIds,
    reason,
    expires_at: tokensExpireAt(deps),
  };
  await deps.publish(trx, IDENTITY_EVENTS.sessionRevoked, data, opts(userId));
}

export async function publishUserDisabled(deps: Deps, trx: Trx, userId: string): Promise<void> {
  const data: UserDisabledData = { user_id: userId, expires_at: tokensExpireAt(deps) };
  await deps.publish(trx, IDENTITY_EVENTS.userDisabled, data, opts(userId));
}

export async function publishAccessTokenRevoked(
  deps: Deps,
  trx: Trx,
  data: AccessTokenRevokedData,
): Promise<void> {
  await deps.publish(trx, IDENTITY_EVENTS.accessTokenRevoked, data, opts(data.jti));
}

export async function publishApiKeyRevoked(deps: Deps, trx: Trx, data: ApiKeyRevokedData): Promise<void> {
  await deps.publish(trx, IDENTITY_EVENTS.apiKeyRevoked, data, opts(data.api_key_id));
}

export async function publishUserRegistered(deps: Deps, trx: Trx, user: UserRow): Promise<void> {
  const data: UserRegisteredData = {
    user_id: user.id,
    email: user.email,
    full_name: user.full_name,
    roles: user.roles,
  };
  await deps.publish(trx, 'user.registered', data, opts(user.id));
}

/** Someone registered with `user`'s email: the owner is told (notifications), the caller is not. */
export async function publishRegistrationAttempted(deps: Deps, trx: Trx, user: UserRow): Promise<void> {
  const data: UserRegistrationAttemptedData = { user_id: user.id, email: user.email };
  await deps.publish(trx, 'user.registration_attempted', data, opts(user.id));
}

export async function publishUserUpdated(deps: Deps, trx: Trx, user: UserRow): Promise<void> {
  const data: UserUpdatedData = {
    user_id: user.id,
    email: user.email,
    full_name: user.full_name,
    status: user.status,
  };
  await deps.publish(trx, 'user.updated', data, opts(user.id));
}

export async function publishRolesChanged(deps: Deps, trx: Trx, data: UserRolesChangedData): Promise<void> {
  await deps.publish(trx, IDENTITY_EVENTS.userRolesChanged, data, opts(data.user_id));
}

/** `plan.changed`: gateways drop the cached verification of the key (or every key of the user). */
export async function publishPlanChanged(deps: Deps, trx: Trx, data: PlanChangedData): Promise<void> {
  await deps.publish(trx, IDENTITY_EVENTS.planChanged, data, opts(data.api_key_id ?? data.user_id));
}
