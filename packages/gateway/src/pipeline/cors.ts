/**
 * CORS: a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
 * here from the route the real request would take; on an actual request an allowed origin
 * gets its headers on every answer, errors included.
 */
import { corsHeaders, preflightHeaders } from '../edge/cors.ts';
import { mergeHeaders } from '../edge/respond.ts';
import { HANDLED, type Step } from './step.ts';

export const preflight: Step = {
  name: 'cors preflight',
  run(ctx) {
    const origin = ctx.req.headers.origin;
    const requested = ctx.req.headers['access-control-request-method'];
    if (ctx.method !== 'OPTIONS' || origin === undefined || !requested) return undefined;
    const m = ctx.rt.router.match(String(requested).toUpperCase(), ctx.path);
    const route = m.kind === 'route' ? m.route : null;
    const h = route?.cors
      ? preflightHeaders(
          route.cors,
          origin,
          route.methods,
          ctx.req.headers['access-control-request-headers'] as string | undefined,
        )
      : null;
    const out: Record<string, string | string[]> = {};
    mergeHeaders(out, ctx.headers);
    if (h) mergeHeaders(out, h);
    out['content-length'] = '0';
    ctx.res.writeHead(204, out);
    ctx.res.end();
    ctx.done(204);
    return HANDLED;
  },
  describe(p) {
    const origin = p.headers.origin;
    const requested = p.headers['access-control-request-method'];
    if (p.method !== 'OPTIONS' || origin === undefined || !requested) return undefined;
    const m = p.rt.router.match(requested.toUpperCase(), p.path);
    const cors = m.kind === 'route' ? m.route.cors : null;
    const ok = cors !== null && preflightHeaders(cors, origin, null, undefined) !== null;
    p.note(
      'cors preflight',
      ok ? 'pass' : 'info',
      ok
        ? `${requested} from ${origin} allowed by the route's cors policy`
        : `${requested} ${p.path} from ${origin}: no CORS headers (the browser refuses)`,
    );
    return '204 preflight answered by the gateway';
  },
};

export const cors: Step = {
  name: 'cors',
  run(ctx) {
    const c = ctx.route!.cors;
    const origin = ctx.req.headers.origin;
    if (c === null || origin === undefined) return undefined;
    const h = corsHeaders(c, origin);
    if (h) for (const e of h) ctx.headers.push(e);
    return undefined;
  },
  describe(p) {
    const c = p.route!.cors;
    if (c === null) return undefined;
    const origin = p.headers.origin;
    const ok = origin !== undefined && corsHeaders(c, origin) !== null;
    p.note(
      'cors',
      origin === undefined ? 'skip' : ok ? 'pass' : 'info',
      origin === undefined
        ? 'no Origin header'
        : ok
          ? `origin ${origin} allowed`
          : `origin ${origin} not allowed: no CORS headers`,
    );
    return undefined;
  },
};
