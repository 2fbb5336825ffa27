/**
 * Users administration: create, update, disable/enable and replace roles. Changes that can take
 * an admin away — disabling a user and replacing their roles — run under one advisory lock, so
 * two admins demoting each other at the same moment cannot leave none.
 */
import { AppError } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps, Trx } from '../deps.ts';
import { adminRemovalRefusal } from '../domain/admin-guard.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { hashPassword } from '../crypto/passwords.ts';
import {
  publishRolesChanged,
  publishSessionRevoked,
  publishUserDisabled,
  publishUserRegistered,
  publishUserUpdated,
} from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { revokeSessions } from '../repository/sessions.ts';
import {
  countOtherActiveAdmins,
  emailConflict,
  findUserById,
  insertUser,
  lockAdmins,
  updateUser,
  type UserChanges,
} from '../repository/users.ts';
import type { UserRow, UserStatus } from '../tables.ts';

export interface Actor {
  id: string | null;
  facts: RequestFacts;
}

/** Applies changes to a user known to exist (it is locked). */
async function change(trx: Trx, id: string, changes: UserChanges): Promise<UserRow> {
  const row = await updateUser(trx, id, changes);
  if (!row) throw new Error(`user ${id} vanished under its lock`);
  return row;
}

/** Creates a user with roles (admin): 201 with `user.registered` published and `user.created` audited. */
export async function createUser(
  deps: Deps,
  input: { email: string; password: string; full_name: string; roles: readonly string[] },
  actor: Actor,
): Promise<UserRow> {
  const { email, password, full_name, roles } = input;
  const problems = passwordProblems(password, {
    minLength: deps.settings.IDENTITY_PASSWORD_MIN_LENGTH,
    email,
  });
  if (problems.length) throw AppError.validation(problems);
  const password_hash = await hashPassword(password);
  return deps.tx(async (trx) => {
    const row = await insertUser(trx, {
      id: uuidv7(),
      email,
      full_name,
      password_hash,
      roles: [...new Set<string>(roles)].sort(),
    });
    await publishUserRegistered(deps, trx, row);
    await appendAudit(
      trx,
      {
        actor_id: actor.id,
        action: 'user.created',
        target: row.id,
        outcome: 'success',
        details: { email, roles: row.roles },
      },
      actor.facts,
    );
    return row;
  });
}

/** Loads the target under the admin lock, or 404. */
async function lockTarget(trx: Trx, id: string): Promise<UserRow> {
  await lockAdmins(trx);
  const user = await findUserById(trx, id, { forUpdate: true });
  if (!user) throw AppError.notFound('User');
  return user;
}

async function refuseAdminRemoval(trx: Trx, user: UserRow, removal: 'disable' | 'demote'): Promise<void> {
  const refusal = adminRemovalRefusal(
    { target: user, otherActiveAdmins: await countOtherActiveAdmins(trx, user.id) },
    removal,
  );
  if (refusal) throw new AppError('conflict', refusal);
}

/** Name, email and status (admin `PATCH /users/{id}`); a status change disables or re-enables. */
export async function updateUserByAdmin(
  deps: Deps,
  id: string,
  patch: { full_name?: string | undefined; email?: string | undefined; status?: UserStatus | undefined },
  actor: Actor,
): Promise<UserRow> {
  return deps.tx(async (trx) => {
    let row = await lockTarget(trx, id);
    const { full_name, email, status } = patch;
    const fields: string[] = [];
    if (full_name !== undefined && full_name !== row.full_name) fields.push('full_name');
    if (email !== undefined && email !== row.email) fields.push('email');
    if (fields.length) {
      try {
        row = await change(trx, row.id, {
          ...(full_name !== undefined && { full_name }),
          ...(email !== undefined && { email }),
        });
      } catch (err) {
        emailConflict(err);
      }
      await publishUserUpdated(deps, trx, row);
      await appendAudit(
        trx,
        {
          actor_id: actor.id,
          action: 'user.updated',
          target: row.id,
          outcome: 'success',
          details: { fields },
        },
        actor.facts,
      );
    }
    if (status === 'disabled') row = await disableUser(deps, trx, row, actor);
    if (status === 'active') row = await enableUser(deps, trx, row, actor);
    return row;
  });
}

/** `DELETE /users/{id}`: a soft delete (disable). */
export async function disableUserById(deps: Deps, id: string, actor: Actor): Promise<void> {
  await deps.tx(async (trx) => {
    const row = await lockTarget(trx, id);
    await disableUser(deps, trx, row, actor);
  });
}

/** `PUT /users/{id}/roles`. */
export async function replaceRoles(
  deps: Deps,
  id: string,
  roles: readonly string[],
  actor: Actor,
): Promise<UserRow> {
  return deps.tx(async (trx) => {
    const row = await lockTarget(trx, id);
    return setRoles(deps, trx, row, roles, actor);
  });
}

/** Disables a user: sessions revoked, `session.revoked` + `user.disabled` published, audited. */
async function disableUser(deps: Deps, trx: Trx, user: UserRow, actor: Actor): Promise<UserRow> {
  if (user.status === 'disabled') return user;
  await refuseAdminRemoval(trx, user, 'disable');
  const row = await change(trx, user.id, { status: 'disabled', disabled_at: new Date() });
  const ids = await revokeSessions(trx, { userId: user.id }, 'user_disabled');
  await publishSessionRevoked(deps, trx, user.id, ids, 'user_disabled');
  await publishUserDisabled(deps, trx, user.id);
  await publishUserUpdated(deps, trx, row);
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

async function enableUser(deps: Deps, trx: Trx, user: UserRow, actor: Actor): Promise<UserRow> {
  if (user.status === 'active') return user;
  const row = await change(trx, user.id, { status: 'active', disabled_at: null });
  await publishUserUpdated(deps, trx, row);
  await appendAudit(
    trx,
    { actor_id: actor.id, action: 'user.enabled', target: user.id, outcome: 'success' },
    actor.facts,
  );
  return row;
}

/** Replaces a user's roles (admin only); audited with the old and the new. */
async function setRoles(
  deps: Deps,
  trx: Trx,
  user: UserRow,
  roles: readonly string[],
  actor: Actor,
): Promise<UserRow> {
  const next = [...new Set(roles)].sort();
  const old = [...user.roles].sort();
  if (old.includes('admin') && !next.includes('admin')) await refuseAdminRemoval(trx, user, 'demote');
  if (old.join() === next.join()) return user;
  const row = await change(trx, user.id, { roles: next });
  await publishRolesChanged(deps, trx, {
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
