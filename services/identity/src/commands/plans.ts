/**
 * Consumer plans (docs/plans.md): admins assign a user's plan, or one API key's (overriding its
 * owner's). Each change is audited and publishes `plan.changed`, on which every gateway replica
 * drops its cached verification of the key(s), so the next request runs under the new plan
 * within seconds. Identity stores plan names only; portico.yaml defines what each allows.
 */
import { AppError } from '@portico/kit';
import type { Deps, Trx } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { publishPlanChanged } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { findUserById } from '../repository/users.ts';
import type { ApiKeyRow, UserRow } from '../tables.ts';

export interface PlanActor {
  id: string | null;
  facts: RequestFacts;
}

/** Publishes `plan.changed` and audits `user.plan_changed` / `api_key.plan_changed`. */
async function recordChange(
  deps: Deps,
  trx: Trx,
  c: { userId: string; apiKeyId: string | null; old: string | null; plan: string | null },
  actor: PlanActor,
): Promise<void> {
  await publishPlanChanged(deps, trx, {
    user_id: c.userId,
    api_key_id: c.apiKeyId,
    plan: c.plan,
    changed_by: actor.id ?? 'system',
  });
  await appendAudit(
    trx,
    {
      actor_id: actor.id,
      action: c.apiKeyId === null ? 'user.plan_changed' : 'api_key.plan_changed',
      target: c.apiKeyId ?? c.userId,
      outcome: 'success',
      details: {
        ...(c.apiKeyId !== null && { owner_id: c.userId }),
        old_plan: c.old,
        new_plan: c.plan,
      },
    },
    actor.facts,
  );
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
    await recordChange(deps, trx, { userId: id, apiKeyId: null, old: user.plan ?? null, plan }, actor);
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
    await recordChange(deps, trx, { userId: key.user_id, apiKeyId: id, old: key.plan ?? null, plan }, actor);
    return row;
  });
}
