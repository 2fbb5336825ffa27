/**
 * The operator routes under `/api/v1/ops` (`ops:` in portico.yaml), answered by the gateway for
 * admins: every service's dead letters with replay (`dead-letters.ts`) and a live feed of the
 * domain events on the bus (`events.ts`). They are routes like the batch endpoint: compiled
 * into the router, so authentication, the `ops.permission` check, rate limits and the access
 * log apply as to any route; API keys and OAuth tokens limited to scopes are refused.
 */
import type { ResolvedConfig } from '../config/schema.ts';

type Route = ResolvedConfig['routes'][number];

export const OPS_PREFIX = '/api/v1/ops';

/** Route names: the ops step answers by name. */
export const OPS = {
  deadLetters: 'ops-dead-letters',
  replay: 'ops-dead-letter-replay',
  events: 'ops-events',
} as const;

export type OpsRouteName = (typeof OPS)[keyof typeof OPS];

/** The service name these routes report (the gateway answers them). */
const SERVICE = 'gateway';

export function opsRoutes(config: ResolvedConfig): Route[] {
  if (!config.ops.enabled) return [];
  const base = {
    service: SERVICE,
    auth: 'required' as const,
    permission: config.ops.permission,
    // Signed-in admins only: a key or token limited to scopes never reaches these.
    api_key_scope: false as const,
    rate_limits: config.defaults.rate_limits,
    idempotency: false,
    openapi: true,
  };
  return [
    { ...base, name: OPS.deadLetters, path: `${OPS_PREFIX}/dead-letters`, methods: ['GET'] },
    {
      ...base,
      name: OPS.replay,
      path: `${OPS_PREFIX}/dead-letters/{service}/{id}/replay`,
      methods: ['POST'],
    },
    { ...base, name: OPS.events, path: `${OPS_PREFIX}/events`, methods: ['GET'] },
  ];
}
