/**
 * `/console`: the web console (`@portico/console`), its page and modules answered from memory
 * under the console's Content-Security-Policy. Every file carries a strong `ETag` and
 * `Cache-Control: no-cache`, so a browser reuses its copy after a cheap revalidation
 * (304, RFC 9110 §13.1.2) and never runs yesterday's script against today's gateway.
 */
import { CONSOLE_CSP, consoleAssets } from '@portico/console';
import { writeJson } from '../edge/respond.ts';
import { serveAsset } from './asset.ts';
import type { RequestContext } from '../pipeline/context.ts';

/** The service-level objectives of `console.slos`, for the operations view. */
export const CONSOLE_SLOS_PATH = '/console/slos.json';

/** The paths the console answers (fixed when the gateway starts). */
export const CONSOLE_PATHS: readonly string[] = [...consoleAssets().keys(), CONSOLE_SLOS_PATH];

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
  serveAsset(ctx, ctx.rt.consoleEnabled ? consoleAssets().get(ctx.path) : undefined, {
    'content-security-policy': CONSOLE_CSP,
    'cache-control': 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
}
