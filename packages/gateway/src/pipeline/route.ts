/**
 * Route match: the gateway's own routes (health, metrics, OpenAPI, docs) first, then the
 * configured routes (404, or 405 with `Allow`); a deprecated route adds its headers and, past
 * its sunset, answers 410.
 */
import { OWN_PATHS } from '../own/routes.ts';
import { isProblemPath } from '../own/problems.ts';
import { HANDLED, type Step } from './step.ts';

export const ownRoutes: Step = {
  name: 'own routes',
  run(ctx) {
    const own = ctx.gw.ownRoute(ctx.path);
    if (own === undefined) return undefined;
    own(ctx);
    return HANDLED;
  },
  describe(p) {
    if (!OWN_PATHS.includes(p.path) && !isProblemPath(p.path)) return undefined;
    p.note('route', 'pass', `${p.path} is one of the gateway's own routes`);
    return `answered by the gateway itself (${p.path})`;
  },
};

export const matchRoute: Step = {
  name: 'route',
  run(ctx) {
    const m = ctx.rt.router.match(ctx.method, ctx.path);
    if (m.kind === 'not_found') {
      ctx.problem('not_found', `No route for ${ctx.path}`);
      return HANDLED;
    }
    if (m.kind === 'method_not_allowed') {
      ctx.headers.push(['allow', m.allow]);
      ctx.problem('method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}`);
      return HANDLED;
    }
    ctx.route = m.route;
    ctx.params = m.params;
    return undefined;
  },
  describe(p) {
    const m = p.rt.router.match(p.method, p.path);
    if (m.kind === 'not_found') {
      p.note('route', 'deny', `no route matches ${p.path}`);
      return '404 not_found';
    }
    if (m.kind === 'method_not_allowed') {
      p.note('route', 'deny', `${p.path} exists but not for ${p.method}; Allow: ${m.allow}`);
      return '405 method_not_allowed';
    }
    const route = m.route;
    p.route = route;
    p.params = m.params;
    p.note(
      'route',
      'pass',
      `routes[${route.index}] "${route.label}" (${route.isPrefix ? 'prefix' : 'path'} ${route.template}) → service ${route.service}`,
    );
    return undefined;
  },
};

export const deprecation: Step = {
  name: 'deprecation',
  run(ctx) {
    const d = ctx.route!.deprecation;
    if (d === null) return undefined;
    for (const e of d.headers) ctx.headers.push(e);
    if (d.sunsetAt !== null && Date.now() >= d.sunsetAt) {
      ctx.problem('gone', 'This route has been retired (see the Link header for its successor)');
      return HANDLED;
    }
    return undefined;
  },
  describe(p) {
    const d = p.route!.deprecation;
    if (d === null) return undefined;
    if (d.sunsetAt !== null && Date.now() >= d.sunsetAt) {
      p.note('deprecation', 'deny', `sunset passed on ${new Date(d.sunsetAt).toISOString()}`);
      return '410 gone';
    }
    p.note('deprecation', 'info', `adds ${d.headers.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    return undefined;
  },
};
