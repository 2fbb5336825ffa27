/**
 * `/console`: the web console (`@portico/console`), its page and modules answered from memory
 * under the console's Content-Security-Policy. Every file carries a strong `ETag` and
 * `Cache-Control: no-cache`, so a browser reuses its copy after a cheap revalidation
 * (304, RFC 9110 §13.1.2) and never runs yesterday's script against today's gateway.
 */
import { CONSOLE_CSP, consoleAssets } from '@portico/console';
import { mergeHeaders, writeJson } from '../edge/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';

/** The service-level objectives of `console.slos`, for the operations view. */
export const CONSOLE_SLOS_PATH = '/console/slos.json';

/** The paths the console answers (fixed when the gateway starts). */
export const CONSOLE_PATHS: readonly string[] = [...consoleAssets().keys(), CONSOLE_SLOS_PATH];

/** True when `If-None-Match` names the file's current validator (RFC 9110 §13.1.2). */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** `{slos: [{name, route, objective, latency_seconds}]}`: declarations only, the page measures. */
export function serveSlos(ctx: RequestContext): void {
  if (!ctx.rt.consoleEnabled) {
    ctx.problem('not_found', `No route for ${ctx.path}`);
    return;
  }
  ctx.headers.push(['cache-control', 'no-cache']);
  writeJson(ctx.res, 200, ctx.headers, { slos: ctx.rt.slos });
  ctx.done(200);
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
