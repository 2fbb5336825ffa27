/**
 * Authorization: an API key's scopes against the route's resources (auth/key-scopes.ts, the one
 * place that gate lives), then the route's `permission` against the caller's permissions (a
 * JWT's roles, an API key's scopes). A refusal is a 403 and an `access.denied` event.
 */
import { permissionScope } from '@portico/kit';
import { gatewayRouteKeyRefusal, keyScopeRefusal } from '../auth/key-scopes.ts';
import { HANDLED, type Step } from './step.ts';

export const authorize: Step = {
  name: 'authorization',
  run(ctx) {
    const route = ctx.route!;
    const caller = ctx.principal.caller;
    if (ctx.principal.scoped && route.auth !== 'none') {
      const refusal =
        route.kind === 'batch' || route.kind === 'ws-ticket' || route.kind === 'graphql'
          ? gatewayRouteKeyRefusal(caller.permissions)
          : keyScopeRefusal(route.keyScopes, ctx.method, caller.permissions);
      if (refusal !== null) {
        ctx.gw.reportDenied(ctx, 403, 'api_key_scope');
        ctx.problem('forbidden', refusal);
        return HANDLED;
      }
    }
    const permission = route.permission;
    if (permission === null || permissionScope(ctx.principal.caller.permissions, permission) !== false)
      return undefined;
    ctx.gw.reportDenied(ctx, 403, `missing_permission:${permission}`);
    ctx.problem('forbidden', `Requires the ${permission} permission`);
    return HANDLED;
  },
  describe(p) {
    const route = p.route!;
    if (p.caller.apiKey && route.auth !== 'none')
      p.note(
        'authorization',
        'info',
        route.keyScopes.length === 0
          ? 'API keys are refused on this route (api_key_scope: false)'
          : `an API key needs a scope on ${route.keyScopes.join(' or ')} (a non-read one to write)`,
      );
    const permission = route.permission;
    if (permission === null) {
      p.note('authorization', 'skip', 'no permission on this route');
      return undefined;
    }
    if (p.caller.apiKey) {
      p.note('authorization', 'info', `requires ${permission}: checked against the key's scopes`);
      return undefined;
    }
    if (p.caller.sub === undefined) {
      p.note('authorization', 'deny', `requires ${permission}; anonymous callers have none`);
      return '401 unauthenticated';
    }
    const roles = p.caller.roles.join(', ');
    const scope = permissionScope(p.caller.permissions, permission);
    if (scope === false) {
      p.note(
        'authorization',
        'deny',
        `requires ${permission}; roles [${roles}] do not grant it (access.denied is published)`,
      );
      return '403 forbidden';
    }
    p.note(
      'authorization',
      'pass',
      `requires ${permission}: granted (${scope === 'own' ? 'own records only: the service enforces ownership' : 'all records'})`,
    );
    return undefined;
  },
};
