/**
 * Events identity publishes (through the outbox, in the transaction of the change) and the one
 * it consumes. Data shapes are the agreed contracts in @portico/contracts (`IdentityEvents`);
 * each event carries the request's trace on its own (the kit's AsyncLocalStorage scope).
 */
import type { Transaction } from 'kysely';
import {
  IDENTITY_EVENTS,
  type ApiKeyRevokedData,
  type SessionRevokedData,
  type UserDisabledData,
  type UserRegisteredData,
  type UserRegistrationAttemptedData,
  type UserRolesChangedData,
  type UserUpdatedData,
} from '@portico/contracts';
import type { IdentityContext } from './context.ts';
import type { UserRow } from './repository/users.ts';

export const PUBLISHED_EVENTS = [
  'user.registered',
  'user.registration_attempted',
  'user.updated',
  'user.disabled',
  IDENTITY_EVENTS.userRolesChanged,
  IDENTITY_EVENTS.sessionRevoked,
  IDENTITY_EVENTS.apiKeyRevoked,
] as const;

type Trx = Transaction<any>;
const opts = (subject: string) => ({ subject });

/** When the last access token issued now expires, plus a minute of clock skew. */
export function tokensExpireAt(ctx: IdentityContext): string {
  return new Date(Date.now() + (ctx.settings.IDENTITY_ACCESS_TOKEN_TTL + 60) * 1000).toISOString();
}

export async function publishSessionRevoked(
  ctx: IdentityContext,
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
    expires_at: tokensExpireAt(ctx),
  };
  await ctx.deps.publish(trx, IDENTITY_EVENTS.sessionRevoked, data, opts(userId));
}

export async function publishUserDisabled(ctx: IdentityContext, trx: Trx, userId: string): Promise<void> {
  const data: UserDisabledData = { user_id: userId, expires_at: tokensExpireAt(ctx) };
  await ctx.deps.publish(trx, IDENTITY_EVENTS.userDisabled, data, opts(userId));
}

export async function publishApiKeyRevoked(
  ctx: IdentityContext,
  trx: Trx,
  data: ApiKeyRevokedData,
): Promise<void> {
  await ctx.deps.publish(trx, IDENTITY_EVENTS.apiKeyRevoked, data, opts(data.api_key_id));
}

export async function publishUserRegistered(ctx: IdentityContext, trx: Trx, user: UserRow): Promise<void> {
  const data: UserRegisteredData = {
    user_id: user.id,
    email: user.email,
    full_name: user.full_name,
    roles: user.roles,
  };
  await ctx.deps.publish(trx, 'user.registered', data, opts(user.id));
}

/** Someone registered with `user`'s email: the owner is told (notifications), the caller is not. */
export async function publishRegistrationAttempted(
  ctx: IdentityContext,
  trx: Trx,
  user: UserRow,
): Promise<void> {
  const data: UserRegistrationAttemptedData = { user_id: user.id, email: user.email };
  await ctx.deps.publish(trx, 'user.registration_attempted', data, opts(user.id));
}

export async function publishUserUpdated(ctx: IdentityContext, trx: Trx, user: UserRow): Promise<void> {
  const data: UserUpdatedData = {
    user_id: user.id,
    email: user.email,
    full_name: user.full_name,
    status: user.status,
  };
  await ctx.deps.publish(trx, 'user.updated', data, opts(user.id));
}

export async function publishRolesChanged(
  ctx: IdentityContext,
  trx: Trx,
  data: UserRolesChangedData,
): Promise<void> {
  await ctx.deps.publish(trx, IDENTITY_EVENTS.userRolesChanged, data, opts(data.user_id));
}
