/**
 * API-key scopes at the gateway: every route an API key may call requires a scope, checked
 * here and only here (request.ts calls `keyScopeRefusal` once, after authentication).
 *
 * A route's *resources* are its `api_key_scope` in portico.yaml — a resource name, a list of
 * them, or `false` for routes no API key may call (account routes: profile, password, logout)
 * — or, when absent, the first path segment after `/api/v<n>/` (`/api/v1/products/{id}` →
 * `products`). A key's scope `resource:action[:own]` (or `*`) covers:
 *   - GET and HEAD on a route when `resource` is one of the route's resources (any action);
 *   - any other method when, in addition, `action` is not `read` (a read-only key never writes).
 * The owning service still checks the exact permission (`orders:cancel`, `products:update`);
 * this gate makes sure no route is reachable by a key scoped for something else.
 */
import type { RouteConfig } from '../config/schema.ts';

/** The route's resources for API keys; an empty list means API keys are refused. */
export function keyScopeResources(r: RouteConfig): string[] {
  const declared = r.api_key_scope;
  if (declared === false) return [];
  if (typeof declared === 'string') return [declared];
  if (Array.isArray(declared)) return declared;
  const m = /^\/api\/v\d+\/([^/{]+)/.exec(r.path ?? r.prefix ?? '');
  return m ? [m[1]!] : [];
}

const READS = new Set(['GET', 'HEAD']);

/** Null when `scopes` let an API key call the route with `method`, else the refusal's detail. */
export function keyScopeRefusal(
  resources: readonly string[],
  method: string,
  scopes: readonly string[],
): string | null {
  if (resources.length === 0) return 'API keys cannot be used on this route; sign in instead';
  const read = READS.has(method);
  for (const s of scopes) {
    const [resource, action = '*'] = s.split(':');
    if (resource !== '*' && !resources.includes(resource!)) continue;
    if (read || action !== 'read') return null;
  }
  const need = resources.map((r) => `${r}:${read ? '<any>' : '<write action>'}`).join(' or ');
  return `This API key's scopes do not cover this route (needs ${need})`;
}

/**
 * The gateway's own routes, which call no service themselves (the batch, WebSocket tickets,
 * GraphQL): a key with any scope that may write may use them; every operation of a batch, every
 * REST call of a GraphQL query, and the WebSocket route a ticket is redeemed on, then meets its
 * own route's scope check. A read-only key cannot, as it can send no POST.
 */
export function gatewayRouteKeyRefusal(scopes: readonly string[]): string | null {
  for (const s of scopes) if ((s.split(':')[1] ?? '*') !== 'read') return null;
  return "This API key's scopes do not cover this route (it needs a scope that may write)";
}
