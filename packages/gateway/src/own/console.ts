/**
 * `/console`: the web console (`@portico/console`), its page and modules answered from memory
 * under the console's Content-Security-Policy. Every file carries a strong `ETag` and
 * `Cache-Control: no-cache`, so a browser reuses its copy after a cheap revalidation
 * (304, RFC 9110 §13.1.2) and never runs yesterday's script against today's gateway.
 */
import { CONSOLE_CSP, consoleAssets } from '@portico/console';
import { mergeHeaders } from '../edge/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';

/** The paths the console answers (fixed when the gateway starts). */
export const CONSOLE_PATHS: readonly string[] = [...consoleAssets().keys()];

/** True when `If-None-Match` names the file's current validator (RFC 9110 §13.1.2). */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function serveConsole(ctx: RequestContext): void {
  const asset = ctx.rt.consoleEnabled ? consoleAssets().get(ctx.path) : undefined;
  if (!asset) {
    ctx.problem('not_found', `No route for ${ctx.path}`);
    return;
  }
  const out: Record<string, string> = {};
  mergeHeaders(out, ctx.headers);
  out['content-type'] = asset.type;
  out['content-security-policy'] = CONSOLE_CSP;
  out['cache-control'] = 'no-cache';
  out['etag'] = asset.etag;
  out['referrer-policy'] = 'no-referrer';
  out['x-frame-options'] = 'DENY';
  out['cross-origin-opener-policy'] = 'same-origin';
  out['cross-origin-resource-policy'] = 'same-origin';
  if (notModified(ctx.req.headers['if-none-match'], asset.etag)) {
    ctx.res.writeHead(304, out);
    ctx.res.end();
    ctx.done(304);
    return;
  }
  out['content-length'] = String(asset.body.length);
  ctx.res.writeHead(200, out);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : asset.body);
  ctx.done(200);
}
