/** The route table on its own: which route a method and raw path reach, with what parameters. */
import { describe, expect, it } from 'vitest';
import { Router, type Routable } from '../src/routing/router.ts';

interface R extends Routable {
  id: string;
}

function table(entries: [id: string, template: string, methods: string[] | null, prefix?: boolean][]) {
  const router = new Router<R>();
  for (const [id, template, methods, prefix] of entries)
    router.add(template, { id, methods: methods && new Set(methods) }, prefix ?? false);
  return (method: string, path: string) => {
    const m = router.match(method, path);
    return m.kind === 'route' ? { id: m.route.id, params: m.params } : m;
  };
}

describe('router', () => {
  it('matches exact paths, templates with their parameters in order, and nothing else', () => {
    const match = table([
      ['health', '/status', ['GET']],
      ['line', '/orders/{order}/lines/{line}', null],
    ]);
    expect(match('GET', '/status')).toEqual({ id: 'health', params: [] });
    expect(match('PATCH', '/orders/42/lines/7')).toEqual({ id: 'line', params: ['42', '7'] });
    expect(match('GET', '/orders/42/lines')).toEqual({ kind: 'not_found' });
    expect(match('GET', '/orders/42/lines/7/x')).toEqual({ kind: 'not_found' });
    expect(match('GET', '/status/')).toEqual({ kind: 'not_found' });
  });

  it('never binds an empty segment to a parameter, and keeps percent-encoding as sent', () => {
    const match = table([['order', '/orders/{id}', null]]);
    expect(match('GET', '/orders/')).toEqual({ kind: 'not_found' });
    expect(match('GET', '/orders/a%2Fb')).toEqual({ id: 'order', params: ['a%2Fb'] });
  });

  it('prefers a static segment to a parameter, and backtracks into the parameter branch', () => {
    const match = table([
      ['export', '/orders/export', ['GET']],
      ['by-id', '/orders/{id}', ['GET', 'DELETE']],
      ['b-d', '/a/b/d', null],
      ['x-c', '/a/{x}/c', null],
    ]);
    expect(match('GET', '/orders/export')).toEqual({ id: 'export', params: [] });
    expect(match('GET', '/orders/7')).toEqual({ id: 'by-id', params: ['7'] });
    // The exact route does not take DELETE: the template behind it does.
    expect(match('DELETE', '/orders/export')).toEqual({ id: 'by-id', params: ['export'] });
    expect(match('GET', '/a/b/c')).toEqual({ id: 'x-c', params: ['b'] });
    expect(match('GET', '/a/b/d')).toEqual({ id: 'b-d', params: [] });
  });

  it('answers 405 with every method the path takes, HEAD included when GET is', () => {
    const match = table([
      ['list', '/orders', ['GET']],
      ['create', '/orders', ['POST']],
      ['all', '/api', ['PUT'], true],
    ]);
    expect(match('DELETE', '/orders')).toEqual({ kind: 'method_not_allowed', allow: 'GET, POST, HEAD' });
    expect(match('HEAD', '/orders')).toEqual({ id: 'list', params: [] });
    expect(match('GET', '/api/x')).toEqual({ kind: 'method_not_allowed', allow: 'PUT' });
  });

  it('tries prefixes longest first, on segment boundaries only', () => {
    const match = table([
      ['api', '/api', null, true],
      ['orders', '/api/v1/orders/', null, true],
      ['root', '/', ['GET'], true],
    ]);
    expect(match('GET', '/api/v1/orders')).toEqual({ id: 'orders', params: [] });
    expect(match('GET', '/api/v1/orders/42/lines')).toEqual({ id: 'orders', params: [] });
    expect(match('GET', '/api/v1/ordersX')).toEqual({ id: 'api', params: [] });
    expect(match('GET', '/apix')).toEqual({ id: 'root', params: [] });
    expect(match('POST', '/elsewhere')).toEqual({ kind: 'method_not_allowed', allow: 'GET, HEAD' });
  });

  it('checks exact paths, then templates, then prefixes', () => {
    const match = table([
      ['prefix', '/v1', null, true],
      ['template', '/v1/{thing}', null],
      ['exact', '/v1/me', null],
    ]);
    expect(match('GET', '/v1/me')).toEqual({ id: 'exact', params: [] });
    expect(match('GET', '/v1/you')).toEqual({ id: 'template', params: ['you'] });
    expect(match('GET', '/v1/you/too')).toEqual({ id: 'prefix', params: [] });
  });
});
