/**
 * `GET /api/v1/usage` (a caller's own usage; with `usage.permission`, anyone's) and
 * `GET /api/v1/usage/deprecated` (`usage.permission`: who still calls deprecated routes).
 * Routes like the operator routes: compiled into the router, so authentication, permissions,
 * rate limits and the access log apply as to any route. Signed-in users only: API keys are
 * refused (a key's usage is read by its owner, `?key=<id>`).
 */
import type { ResolvedConfig } from '../config/schema.ts';

type Route = ResolvedConfig['routes'][number];

export const USAGE_PATH = '/api/v1/usage';

/** Route names: the usage step answers by name. */
export const USAGE = {
  report: 'usage',
  deprecated: 'usage-deprecated',
} as const;

export function usageRoutes(config: ResolvedConfig): Route[] {
  if (!config.usage.enabled) return [];
  const base = {
    service: 'gateway',
    auth: 'required' as const,
    api_key_scope: false as const,
    rate_limits: config.defaults.rate_limits,
    idempotency: false,
    openapi: true,
    methods: ['GET' as const],
  };
  return [
    { ...base, name: USAGE.report, path: USAGE_PATH },
    {
      ...base,
      name: USAGE.deprecated,
      path: `${USAGE_PATH}/deprecated`,
      permission: config.usage.permission,
    },
  ];
}
