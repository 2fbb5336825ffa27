/**
 * Dated API versions (docs/versions.md). A `Portico-Version` header must name a version of the
 * calendar (400 `unsupported_api_version` naming the header otherwise). The service receives
 * the version the request runs at — the explicit header, else the credential's pin (learnt when
 * authenticating: a JWT's `api_version` claim, an API key's pin), else the latest — in the
 * same header, which the gateway always sets itself (the client's copy is never forwarded).
 */
import {
  API_VERSIONS,
  LATEST_API_VERSION,
  VERSION_HEADER,
  effectiveVersion,
  isApiVersion,
  unknownVersionError,
} from '@portico/kit';
import type { RequestContext } from './context.ts';
import { HANDLED, type Step } from './step.ts';

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The version `ctx` runs at (after the check below and authentication). */
export function requestVersion(ctx: RequestContext): string {
  return effectiveVersion(headerOf(ctx.req.headers[VERSION_HEADER]), ctx.principal.caller.apiVersion);
}

export const apiVersion: Step = {
  name: 'api version',
  run(ctx) {
    const v = headerOf(ctx.req.headers[VERSION_HEADER]);
    if (v === undefined || isApiVersion(v)) return undefined;
    ctx.problem('unsupported_api_version', 'Name a supported API version, or send none for your default', [
      unknownVersionError(v),
    ]);
    return HANDLED;
  },
  describe(p) {
    const v = p.headers[VERSION_HEADER];
    if (v !== undefined && !isApiVersion(v)) {
      p.note('api version', 'deny', `Portico-Version ${v} is not one of ${API_VERSIONS.join(', ')}`);
      return '400 unsupported_api_version';
    }
    p.note(
      'api version',
      'info',
      v !== undefined
        ? `runs at ${v} (explicit header)`
        : `runs at the credential's pinned version, else ${LATEST_API_VERSION}`,
    );
    return undefined;
  },
};
