/**
 * Changes that can take an admin away — disabling a user and replacing their roles — run under
 * one advisory lock, so two admins demoting each other at the same moment cannot leave none.
 */
import { AppError } from '@portico/kit';
import type { Transaction } from 'kysely';
import { appendAudit } from './audit.ts';
import type { IdentityContext } from './context.ts';
import { adminRemovalRefusal } from './domain/admin-guard.ts';
import {
  publishRolesChanged,
  publishSessionRevoked,
  publishUserDisabled,
  publishUserUpdated,
} from './events.ts';
import { revokeSessions } from './repository/sessions.ts';
import { countOtherActiveAdmins, findUserById, lockAdmins, type UserRow } from './repository/users.ts';
import type { RequestFacts } from './request-facts.ts';

type Trx = Transaction<any>;

export interface Actor {
  id: string | null;
  facts: RequestFacts;
}

/** Loads the target under the admin lock, or 404. */
export async function lockTarget(trx: Trx, id: string): Promise<UserRow> {
  await lockAdmins(trx);
  const user = await findUserById(trx, id, { forUpdate: true });
  if (!user) throw AppError.notFound('User');
  return user;
}

async function refuseAdminRemoval(trx: Trx, user: UserRow, change: 'disable' | 'demote'): Promise<void> {
  const refusal = adminRemovalRefusal(
    { target: user, otherActiveAdmins: await countOtherActiveAdmins(trx, user.id) },
    change,
  );
  if (refusal) throw new AppError('conflict', refusal);
}

/** Disables a user: sessions revoked, `session.revoked` + `user.disabled` published, audited. */
export async function disableUser(
  ctx: IdentityContext,
  trx: Trx,
  user: UserRow,
  actor: Actor,
): Promise<UserRow> {
  if (user.status === 'disabled') return user;
  await refuseAdminRemoval(trx, user, 'disable');
  const row = (await trx
    .updateTable('users')
    .set({ status: 'disabled', disabled_at: new Date(), updated_at: new Date() })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as UserRow;
  const ids = await revokeSessions(trx, { userId: user.id }, 'user_disabled');
  await publishSessionRevoked(ctx, trx, user.id, ids, 'user_disabled');
  await publishUserDisabled(ctx, trx, user.id);
  await publishUserUpdated(ctx, trx, row);
  await appendAudit(
    trx,
    {
      actor_id: actor.id,
      action: 'user.disabled',
      target: user.id,
      outcome: 'success',
      details: { sessions_revoked: ids.length },
    },
    actor.facts,
  );
  return row;
}

export async function enableUser(
  ctx: IdentityContext,
  trx: Trx,
  user: UserRow,
  actor: Actor,
): Promise<UserRow> {
  if (user.status === 'active') return user;
  const row = (await trx
    .updateTable('users')
    .set({ status: 'active', disabled_at: null, updated_at: new Date() })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as UserRow;
  await publishUserUpdated(ctx, trx, row);
  await appendAudit(
    trx,
    { actor_id: actor.id, action: 'user.enabled', target: user.id, outcome: 'success' },
    actor.facts,
  );
  return row;
}

/** Replaces a user's roles (admin only); audited with the old and the new. */
export async function setRoles(
  ctx: IdentityContext,
  trx: Trx,
  user: UserRow,
  roles: string[],
  actor: Actor,
): Promise<UserRow> {
  const next = [...new Set(roles)].sort();
  const old = [...user.roles].sort();
  if (old.includes('admin') && !next.includes('admin')) await refuseAdminRemoval(trx, user, 'demote');
  if (old.join() === next.join()) return user;
  const row = (await trx
    .updateTable('users')
    .set({ roles: next, updated_at: new Date() })
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as UserRow;
  await publishRolesChanged(ctx, trx, {
    user_id: user.id,
    old_roles: old,
    new_roles: next,
    changed_by: actor.id ?? 'system',
  });
  await appendAudit(
    trx,
    {
      actor_id: actor.id,
      action: 'user.roles_changed',
      target: user.id,
      outcome: 'success',
      details: { old_roles: old, new_roles: next },
    },
    actor.facts,
  );
  return row;
}
