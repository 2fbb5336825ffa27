/**
 * Consumer plans (docs/plans.md): `PUT /api/v1/users/{id}/plan` and `PUT /api/v1/api-keys/{id}/plan`
 * (admin, `plans:assign` over everyone). The body names a plan of portico.yaml's `plans.tiers`,
 * or null to clear it; a name the gateway does not list runs under its default plan.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, scopeOf, type ServiceApp } from '@portico/kit';
import { setApiKeyPlan, setUserPlan, type PlanActor } from '../commands/plans.ts';
import type { Deps } from '../deps.ts';
import { apiKeyView, userView } from '../views.ts';
import { requestFacts } from './request-facts.ts';
import { ApiKey, IdParams, PlanBody, User } from './schemas.ts';

const PERMISSION = 'plans:assign';

async function requireAdmin(req: FastifyRequest): Promise<void> {
  if (req.caller.auth !== 'service' && scopeOf(req.caller, PERMISSION) !== 'all')
    throw new AppError('forbidden', `Requires the ${PERMISSION} permission over all users`);
}

export function planRoutes(app: ServiceApp, deps: Deps): void {
  const actorOf = (req: FastifyRequest): PlanActor => ({ id: req.caller.id, facts: requestFacts(req) });

  app.put(
    '/api/v1/users/:id/plan',
    {
      config: { permission: PERMISSION },
      preHandler: requireAdmin,
      schema: {
        tags: ['users'],
        summary: "Set a user's consumer plan (admin)",
        description:
          'The plan (rate, monthly quota, concurrency) the user is held to at the gateway, for their ' +
          "tokens and for their API keys that have no plan of their own; null clears it (the gateway's " +
          'default plan). API keys follow within seconds; tokens carry the plan from their next refresh. ' +
          'Audited as `user.plan_changed`; publishes `plan.changed`. 404: no such user.',
        params: IdParams,
        body: PlanBody,
        response: { 200: User },
      },
    },
    async (req) => userView(await setUserPlan(deps, req.params.id, req.body.plan, actorOf(req))),
  );

  app.put(
    '/api/v1/api-keys/:id/plan',
    {
      config: { permission: PERMISSION },
      preHandler: requireAdmin,
      schema: {
        tags: ['api-keys'],
        summary: "Set an API key's consumer plan (admin)",
        description:
          "Overrides the owner's plan for this key; null clears it (the owner's plan again). Every " +
          'gateway replica applies it within seconds (`plan.changed` drops the cached key). Audited as ' +
          '`api_key.plan_changed`. 404: no such key, or it is revoked.',
        params: IdParams,
        body: PlanBody,
        response: { 200: ApiKey },
      },
    },
    async (req) => apiKeyView(await setApiKeyPlan(deps, req.params.id, req.body.plan, actorOf(req))),
  );
}
