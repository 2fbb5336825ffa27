/**
 * Which settings a hot reload applies. Everything compiled into the runtime (routes, services,
 * policies, CORS, identity's service/JWKS path/API-key header, metrics, docs, OpenAPI's
 * title/version/description, idempotency's ttl/lock_ttl/max_body, …) is swapped on reload. The
 * settings below are read once, by the parts built when the gateway starts (the listening
 * socket, the store's connection, the passport mint, the JWKS cache, the JWT and API-key
 * verifiers, the OpenAPI aggregator): a reload that changes one logs a warning naming it, and
 * `portico check` names those a file sets. They take effect at the next restart.
 */
import type { ResolvedConfig } from './schema.ts';

export const RESTART_ONLY = [
  'listen.host',
  'listen.port',
  'workers',
  'store.prefix',
  'store.timeout',
  'passport.ttl',
  'identity.jwks_refresh_floor',
  'identity.jwks_max_age',
  'identity.clock_skew',
  'identity.api_key_cache_ttl',
  'openapi.refresh',
] as const;

function at(config: unknown, path: string): unknown {
  let v: unknown = config;
  for (const k of path.split('.'))
    v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** The restart-only settings whose value differs between the running config and a new one. */
export function restartOnlyChanges(running: ResolvedConfig, next: ResolvedConfig): string[] {
  return RESTART_ONLY.filter((p) => JSON.stringify(at(running, p)) !== JSON.stringify(at(next, p)));
}

/** The restart-only settings a config file sets itself (not left to their defaults). */
export function restartOnlySet(config: unknown): string[] {
  return RESTART_ONLY.filter((p) => at(config, p) !== undefined);
}
