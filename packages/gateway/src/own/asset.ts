/**
 * A file the gateway answers from memory (the `/docs` page, the console): 404 when there is
 * none, else the file with the caller's headers; with an `etag`, `If-None-Match` gets 304
 * (RFC 9110 §13.1.2).
 */
import { mergeHeaders } from '../edge/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';

export interface MemoryAsset {
  type: string;
  body: Buffer;
  etag?: string;
}

/** True when `If-None-Match` names the file's current validator. */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function serveAsset(
  ctx: RequestContext,
  asset: MemoryAsset | undefined,
  headers: Record<string, string>,
): void {
  if (!asset) {
    ctx.problem('not_found', `No route for ${ctx.path}`);
    return;
  }
  const out: Record<string, string> = {};
  mergeHeaders(out, ctx.headers);
  out['content-type'] = asset.type;
  Object.assign(out, headers);
  if (asset.etag) {
    out['etag'] = asset.etag;
    if (notModified(ctx.req.headers['if-none-match'], asset.etag)) {
      ctx.res.writeHead(304, out);
      ctx.res.end();
      ctx.done(304);
      return;
    }
  }
  out['content-length'] = String(asset.body.length);
  ctx.res.writeHead(200, out);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : asset.body);
  ctx.done(200);
}
