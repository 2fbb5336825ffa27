/**
 * Edge hygiene: the request id and trace context (made in the context and the forward step),
 * a path that cannot climb out of a route (`..`, `%2e%2e`) or smuggle bad percent-encoding,
 * and the client address as the trusted proxies report it.
 */
import { clientIp } from '../edge/forwarding.ts';
import { keepsRequestId, NEW_REQUEST_ID } from '../edge/ids.ts';
import { HANDLED, type Step } from './step.ts';

const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/** False for a `%` not followed by two hex digits, or bytes that are not UTF-8 (`%C0%AF`). */
function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Why the gateway refuses a path, or null when it accepts it. */
export function pathProblem(path: string): string | null {
  if (path.charCodeAt(0) !== 47 || DOT_SEGMENT.test(path)) return 'The request path is not acceptable';
  if (path.includes('%') && !decodable(path)) return 'The request path has an invalid percent-encoding';
  return null;
}

export const edge: Step = {
  name: 'edge',
  run(ctx) {
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    ctx.path = q === -1 ? url : url.slice(0, q);
    ctx.query = q === -1 ? '' : url.slice(q);
    const bad = pathProblem(ctx.path);
    if (bad !== null) {
      ctx.problem('malformed_request', bad);
      return HANDLED;
    }
    ctx.ip = clientIp(ctx.req, ctx.rt.trusted);
    return undefined;
  },
  describe(p) {
    const rid = p.headers['x-request-id'];
    p.note(
      'request id',
      'info',
      keepsRequestId(rid) ? `keeps X-Request-Id ${rid}` : `generates a new X-Request-Id: ${NEW_REQUEST_ID}`,
    );
    p.note(
      'trace context',
      'info',
      p.headers.traceparent
        ? 'continues the incoming traceparent with a new span'
        : 'starts a new trace (traceparent)',
    );
    const bad = pathProblem(p.path);
    if (bad === null) return undefined;
    p.note('path', 'deny', bad);
    return '400 malformed_request';
  },
};
