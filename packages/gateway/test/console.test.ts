/**
 * `/console`: the web console's files as the gateway serves them — the page and every module it
 * loads under a strict Content-Security-Policy, validators and 304s, and nothing outside the
 * console's own list of files, however the path is spelled.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateGatewayConfig } from '../src/index.ts';
import { makeConfig, startGateway, type RunningGateway } from './helpers.ts';

let gw: RunningGateway;
let off: RunningGateway;

beforeAll(async () => {
  gw = await startGateway(
    makeConfig(
      { tasks: ['http://127.0.0.1:9'] },
      [{ name: 'tasks', prefix: '/api/v1/tasks', service: 'tasks', auth: 'none' }],
      {
        console: {
          enabled: true,
          slos: [{ name: 'Tasks fast', route: 'tasks', objective: 99.5, latency: '250ms' }],
        },
      },
    ),
  );
  off = await startGateway(makeConfig({}, [], { console: { enabled: false } }));
});
afterAll(async () => {
  await gw?.close();
  await off?.close();
});

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console at /console', () => {
  it('serves the page with a policy that allows no inline script or style and no other origin', async () => {
    const res = await fetch(`${gw.url}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<style|style=/);
    expect(html).toContain('<script type="module" src="/console/app/main.js"></script>');
    expect((await fetch(`${gw.url}/console/`)).status).toBe(200);
  });

  it('serves every module the app imports, the UI library from node_modules with no bare specifier left', async () => {
    const seen = new Set<string>();
    const queue = ['/console/app/main.js'];
    while (queue.length) {
      const path = queue.pop()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await fetch(gw.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const text = await res.text();
      for (const m of text.matchAll(/(?:import|export)\s*(?:[\w{},*\s]+from\s*)?["']([^"']+)["']/g)) {
        const spec = m[1]!;
        expect(spec, `${path} imports ${spec}`).toMatch(/^\.\.?\//);
        queue.push(new URL(spec, `http://x${path}`).pathname);
      }
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        '/console/vendor/preact.js',
        '/console/vendor/hooks.js',
        '/console/vendor/htm.js',
      ]),
    );
    const css = await fetch(`${gw.url}/console/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers a revalidation with 304 and HEAD without a body', async () => {
    const first = await fetch(`${gw.url}/console/app/api.js`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${gw.url}/console/app/api.js`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await fetch(`${gw.url}/console/app/api.js`, { headers: { 'if-none-match': '"other"' } });
    expect(changed.status).toBe(200);
    const head = await fetch(`${gw.url}/console/app/api.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${gw.url}/console`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('serves only its own files, however a path tries to climb out', async () => {
    for (const path of [
      '/console/../package.json',
      '/console/app/../../src/index.ts',
      '/console/app/%2e%2e/%2e%2e/package.json',
    ])
      expect(await rawGet(gw.url, path), path).toBe(400);
    for (const path of [
      '/console/src/index.ts',
      '/console/package.json',
      '/console/app',
      '/console/nothing.js',
      '/consolex',
    ]) {
      const res = await fetch(gw.url + path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('serves the service-level objectives of console.slos, and checks them when the file is read', async () => {
    const res = await fetch(`${gw.url}/console/slos.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      slos: [{ name: 'Tasks fast', route: '/api/v1/tasks/*', objective: 99.5, latency_seconds: 0.25 }],
    });
    const bad = validateGatewayConfig({
      version: 1,
      services: { tasks: { instances: ['http://127.0.0.1:9'] } },
      routes: [{ name: 'tasks', prefix: '/api/v1/tasks', service: 'tasks', auth: 'none' }],
      console: {
        slos: [
          { name: 'a', route: 'nope', objective: 99 },
          { name: 'b', route: 'tasks', objective: 99, latency: '300ms' },
          { name: 'c', route: 'tasks', objective: 100 },
        ],
      },
    });
    expect(bad.ok).toBe(false);
    const paths = bad.ok ? [] : bad.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'console.slos[0].route',
        'console.slos[1].latency',
        'console.slos[2].objective',
      ]),
    );
  });

  it('is absent when console.enabled is false', async () => {
    expect((await fetch(`${off.url}/console/slos.json`)).status).toBe(404);
    expect((await fetch(`${off.url}/console`)).status).toBe(404);
    expect((await fetch(`${off.url}/console/app/main.js`)).status).toBe(404);
  });
});
