/**
 * The shape of `portico.yaml` once it has passed the schema (`schema.ts`). Durations are
 * strings with a unit (`250ms`, `2s`, `1m`, `24h`), sizes are `512kb`/`1mb` or a byte count;
 * `compile.ts` turns this document into the runtime tables the request path reads.
 */

export type AuthMode = 'none' | 'optional' | 'required';
export type Balancing = 'round_robin' | 'least_request';
export type RateLimitDimension = 'ip' | 'user' | 'api_key' | 'caller' | 'route';
export type FailMode = 'open' | 'closed';

export interface TimeoutsConfig {
  /** TCP connect to the upstream. */
  connect?: string;
  /** From the request being sent to the response headers. */
  first_byte?: string;
  /** Whole exchange, headers and body (not applied to event streams). */
  total?: string;
  /** Longest silence between two body chunks (event streams included). */
  idle?: string;
}

export interface RetryConfig {
  /** Extra attempts after the first (0 disables retries). */
  retries?: number;
  /** First backoff; doubles per attempt, with full jitter. */
  backoff?: string;
  max_backoff?: string;
  /** Retries allowed as a share of requests over the last 10 s (0.2 = 20 %). */
  budget?: number;
  /** Retries always allowed per second, whatever the ratio says. */
  min_per_second?: number;
}

export interface BreakerConfig {
  /** Consecutive failures that open the breaker of one instance. */
  failures?: number;
  /** How long an open breaker refuses traffic before letting one probe through. */
  cooldown?: string;
}

export interface HealthCheckConfig {
  path?: string;
  interval?: string;
  timeout?: string;
  unhealthy_after?: number;
  healthy_after?: number;
}

export interface ServiceConfig {
  instances: string[];
  health?: HealthCheckConfig | false;
  /** Path of the service's OpenAPI document, or false when it has none. */
  openapi?: string | false;
  balancing?: Balancing;
  timeouts?: TimeoutsConfig;
  retry?: RetryConfig;
  breaker?: BreakerConfig;
  pool?: { connections?: number; keep_alive?: string };
}

export interface RateLimitPolicyConfig {
  limit: number;
  window: string;
  by?: RateLimitDimension[];
  /** What happens when the shared store (Redis) cannot answer. */
  on_store_failure?: FailMode;
}

export interface CorsConfig {
  origins: string[];
  methods?: string[];
  headers?: string[];
  expose?: string[];
  credentials?: boolean;
  max_age?: string;
}

export interface DeprecationConfig {
  /** RFC 3339 date (or date-time) from which the route is deprecated. */
  since?: string;
  /** After this instant the route answers 410 Gone. */
  sunset?: string;
  /** URL of the replacement (sent as `Link: <…>; rel="successor-version"`). */
  successor?: string;
}

export interface RouteConfig {
  name?: string;
  path?: string;
  prefix?: string;
  methods?: string[];
  service: string;
  rewrite?: string;
  auth?: AuthMode;
  permission?: string;
  /**
   * The resource(s) an API key needs a scope on to call this route (auth/key-scopes.ts), or
   * `false`: API keys refused. Default: the path's first segment after `/api/v<n>/`.
   */
  api_key_scope?: string | string[] | false;
  rate_limits?: string[];
  timeouts?: TimeoutsConfig;
  retry?: RetryConfig | false;
  cors?: string | false;
  body_limit?: string | number;
  idempotency?: boolean;
  deprecated?: DeprecationConfig | boolean;
  /** Leave this route out of the merged OpenAPI document. */
  openapi?: boolean;
}

export interface DefaultsConfig {
  auth?: AuthMode;
  rate_limits?: string[];
  cors?: string | false;
  timeouts?: TimeoutsConfig;
  retry?: RetryConfig | false;
  idempotency?: boolean;
}

export interface IdentityConfig {
  /** The service (in `services`) that serves the JWKS and verifies API keys. */
  service?: string;
  jwks_path?: string;
  /** Shortest interval between two JWKS fetches triggered by an unknown `kid`. */
  jwks_refresh_floor?: string;
  /** Background refresh interval of the JWKS. */
  jwks_max_age?: string;
  /** Leeway for `exp` and `nbf` (RFC 7519 §4.1.4). */
  clock_skew?: string;
  api_key_cache_ttl?: string;
  api_key_header?: string;
}

export interface GatewayConfig {
  version: 1;
  listen?: { host?: string; port?: number };
  body_limit?: string | number;
  trusted_proxies?: string[];
  identity?: IdentityConfig;
  passport?: { ttl?: string };
  store?: { prefix?: string; timeout?: string };
  idempotency?: { ttl?: string; lock_ttl?: string; max_body?: string | number };
  metrics?: { enabled?: boolean; public?: boolean; token_env?: string };
  docs?: { enabled?: boolean };
  openapi?: { title?: string; version?: string; description?: string; refresh?: string };
  access_log?: boolean;
  cors?: Record<string, CorsConfig>;
  policies?: { rate_limits?: Record<string, RateLimitPolicyConfig> };
  defaults?: DefaultsConfig;
  services: Record<string, ServiceConfig>;
  routes: RouteConfig[];
}
