/**
 * Authentication: finds the credential (bearer JWT, bearer API key or the API-key header) and
 * verifies it through the gateway's `Authenticator`, synchronously when the credential is
 * cached. No credential on an `auth: required` route (or one with a permission) is a 401 with
 * `WWW-Authenticate`; identity or its keys being unreachable is a 503.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { permissionsForRoles } from '@portico/kit';
import { TOKEN_ALGORITHMS, TOKEN_AUDIENCE, TOKEN_ISSUER } from '@portico/contracts';
import { findCredential, type AuthFailure, type AuthOutcome } from '../auth/authenticate.ts';
import { HANDLED, type Probe, type Step, type StepResult } from './step.ts';
import type { RequestContext } from './context.ts';

const MISSING: AuthFailure = {
  ok: false,
  status: 401,
  code: 'unauthenticated',
  reason: 'missing_credentials',
  detail: 'Sign in to use this route',
  tokenGiven: false,
};

/** Answers a failed authentication: 503 when it could not be checked, else 401. */
export function deny(ctx: RequestContext, f: AuthFailure): typeof HANDLED {
  if (f.status === 503) {
    ctx.headers.push(['retry-after', '5']);
    ctx.problem('service_unavailable', f.detail);
    return HANDLED;
  }
  // RFC 6750 §3: error="invalid_token" only when a token was presented.
  ctx.headers.push([
    'www-authenticate',
    f.tokenGiven
      ? `Bearer realm="portico", error="invalid_token", error_description="${f.detail}"`
      : 'Bearer realm="portico"',
  ]);
  ctx.gw.reportDenied(ctx, 401, f.reason);
  ctx.problem(f.code, f.detail);
  return HANDLED;
}

function admit(ctx: RequestContext, out: AuthOutcome): StepResult {
  if (!out.ok) return deny(ctx, out);
  ctx.principal = out.principal;
  return undefined;
}

export const authenticate: Step = {
  name: 'authentication',
  run(ctx) {
    const route = ctx.route!;
    if (route.auth === 'none') return undefined;
    const cred = findCredential(ctx.req.headers, ctx.rt.apiKeyHeader);
    if (cred === null)
      return route.auth === 'required' || route.permission !== null ? deny(ctx, MISSING) : undefined;
    ctx.credentialed = true;
    if ('ok' in cred) return deny(ctx, cred);
    const out = ctx.gw.authenticator.authenticate(cred, Date.now());
    return out instanceof Promise ? out.then((o) => admit(ctx, o)) : admit(ctx, out);
  },
  describe(p) {
    const route = p.route!;
    if (route.auth === 'none') {
      p.note('authentication', 'skip', 'auth: none (the caller is anonymous)');
      return undefined;
    }
    const cred = findCredential(p.headers, p.rt.apiKeyHeader);
    if (cred === null) {
      if (route.auth === 'required' || route.permission !== null) {
        p.note(
          'authentication',
          'deny',
          'auth: required and no credential: 401 with WWW-Authenticate: Bearer',
        );
        return '401 unauthenticated';
      }
      p.note('authentication', 'pass', 'auth: optional, no credential: anonymous');
      return undefined;
    }
    if ('ok' in cred) {
      p.note('authentication', 'deny', cred.detail);
      return `${cred.status} ${cred.code}`;
    }
    if (cred.kind === 'api_key') {
      p.caller.apiKey = true;
      p.note(
        'authentication',
        'info',
        `API key: verified by ${p.rt.identityService} (POST /internal/api-keys/verify), cached briefly; scopes become the permissions`,
      );
      return undefined;
    }
    return describeJwt(p, cred.value);
  },
};

/** A bearer JWT, decoded and its claims checked; the signature only at run time. */
function describeJwt(p: Probe, token: string): string | undefined {
  try {
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    const problems: string[] = [];
    if (!(TOKEN_ALGORITHMS as readonly string[]).includes(String(header.alg)))
      problems.push(`alg ${String(header.alg)} not in ${TOKEN_ALGORITHMS.join(', ')}`);
    if (claims.iss !== TOKEN_ISSUER) problems.push(`iss ${String(claims.iss)} ≠ ${TOKEN_ISSUER}`);
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(TOKEN_AUDIENCE)) problems.push(`aud does not include ${TOKEN_AUDIENCE}`);
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) problems.push('expired');
    if (problems.length) {
      p.note('authentication', 'deny', `JWT rejected: ${problems.join('; ')}`);
      return '401 invalid_token';
    }
    const roles = Array.isArray(claims.roles) ? (claims.roles as string[]) : [];
    p.caller.roles = roles;
    p.caller.permissions = permissionsForRoles(roles);
    if (claims.sub !== undefined) p.caller.sub = claims.sub;
    p.note(
      'authentication',
      'pass',
      `JWT (${String(header.alg)}, kid ${String(header.kid ?? '-')}) for user ${claims.sub} roles [${roles.join(', ')}], expires ${new Date(claims.exp! * 1000).toISOString()}; signature checked against ${p.rt.identityService}${p.rt.jwksPath} at run time (not by explain); denylist checked for sid/jti/user`,
    );
    return undefined;
  } catch {
    p.note('authentication', 'deny', 'the bearer token is not a JWT');
    return '401 invalid_token';
  }
}
