/**
 * Consumer plans (docs/plans.md): admins assign a user's plan, or one API key's (overriding its
 * owner's). Each change is audited and publishes `plan.changed`, on which every gateway replica
 * drops its cached verification of the key(s), so the next request runs under the new plan
 * within seconds. Identity stores plan names only; portico.yaml defines what each allows.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { publishPlanChanged } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { findUserById } from '../repository/users.ts';
import type { ApiKeyRow, UserRow } from '../tables.ts';

export interface PlanActor {
  id: string | null;
  facts: RequestFacts;
}

/** `PUT /users/{id}/plan`: 404 for an unknown user; unchanged: nothing published. */
export async function setUserPlan(
  deps: Deps,
  id: string,
  plan: string | null,
  actor: PlanActor,
): Promise<UserRow> {
  return deps.tx(async (trx) => {
    const user = await findUserById(trx, id, { forUpdate: true });
    if (!user) throw AppError.notFound('User');
    if ((user.plan ?? null) === plan) return user;
    const row = await trx
      .updateTable('users')
      .set({ plan, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishPlanChanged(deps, trx, {
      user_id: id,
      api_key_id: null,
      plan,
      changed_by: actor.id ?? 'system',
    });
    await appendAudit(
      trx,
      {
        actor_id: actor.id,
        action: 'user.plan_changed',
        target: id,
        outcome: 'success',
        details: { old_plan: user.plan ?? null, new_plan: plan },
      },
      actor.facts,
    );
    return row;
  });
}

/** `PUT /api-keys/{id}/plan`: 404 for an unknown or revoked key. */
export async function setApiKeyPlan(
  deps: Deps,
  id: string,
  plan: string | null,
  actor: PlanActor,
): Promise<ApiKeyRow> {
  return deps.tx(async (trx) => {
    const key = await trx
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!key) throw AppError.notFound('API key');
    if ((key.plan ?? null) === plan) return key;
    const row = await trx
      .updateTable('api_keys')
      .set({ plan })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await publishPlanChanged(deps, trx, {
      user_id: key.user_id,
      api_key_id: id,
      plan,
      changed_by: actor.id ?? 'system',
    });
    await appendAudit(
      trx,
      {
        actor_id: actor.id,
        action: 'api_key.plan_changed',
        target: id,
        outcome: 'success',
        details: { owner_id: key.user_id, old_plan: key.plan ?? null, new_plan: plan },
      },
      actor.facts,
    );
    return row;
  });
}
