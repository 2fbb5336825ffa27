/**
 * Problem types resolve (RFC 9457 §3.1.1): every problem's `type` is `/problems/{code}` on the
 * gateway, which answers an HTML page to people and a problem+json description to machines,
 * generated from the registry, so every registered code has its page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@portico/contracts';
import { registeredProblems } from '@portico/kit';
import { startSystem, systemMode, systemUnavailable, type System } from './harness.ts';

const skip = await systemUnavailable();
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/problem+json' };

describe.skipIf(skip)(`problem pages through the gateway (${systemMode})`, () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity'] });
  }, 180_000);
  afterAll(() => sys?.stop());

  it('answers GET /problems/not_found with HTML for a browser', async () => {
    const res = await sys.anonymous.get('/problems/not_found', HTML);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('vary')).toMatch(/accept/i);
    expect(res.body).toContain('<h1>Not found</h1>');
    expect(res.body).toContain('<code>not_found</code>');
    expect(res.body).toContain('404');
  });

  it('answers GET /problems/not_found with problem+json for a machine (and for */*)', async () => {
    for (const headers of [JSON_ACCEPT, { accept: '*/*' }]) {
      const res = await sys.anonymous.get('/problems/not_found', headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: '/problems/not_found',
        code: 'not_found',
        title: 'Not found',
        status: 404,
        owner: 'platform',
      });
      expect(res.body.description).toEqual(expect.any(String));
    }
  });

  it('has a page, both ways, for every code in the registry', async () => {
    const codes = registeredProblems().map((p) => p.code);
    expect(codes.length).toBeGreaterThan(30);
    for (const code of codes) {
      const html = await sys.anonymous.get(`/problems/${code}`, HTML);
      expect(html.status, code).toBe(200);
      expect(html.body, code).toContain(`<code>${code}</code>`);
      const json = await sys.anonymous.get(`/problems/${code}`, JSON_ACCEPT);
      expect(json.status, code).toBe(200);
      expect(json.body.code).toBe(code);
    }
    const index = await sys.anonymous.get('/problems', JSON_ACCEPT);
    expect(index.body.data.map((p: { code: string }) => p.code).sort()).toEqual([...codes].sort());
    expect((await sys.anonymous.get('/problems/no_such_code', JSON_ACCEPT)).status).toBe(404);
  });

  it("resolves the type of the gateway's and a service's problems to their own page", async () => {
    const gatewayMade = await sys.anonymous.get('/api/v1/no-such-route');
    const serviceMade = await sys.anonymous.post('/api/v1/auth/login', {
      email: 'nobody@example.com',
      password: 'not the password at all',
    });
    for (const [res, code] of [
      [gatewayMade, 'not_found'],
      [serviceMade, 'invalid_credentials'],
    ] as const) {
      expect(res.body.code).toBe(code);
      expect(res.body.type).toBe(`/problems/${code}`);
      const page = await fetch(new URL(res.body.type, sys.url), { headers: JSON_ACCEPT });
      expect(page.status).toBe(200);
      expect(((await page.json()) as { code: string }).code).toBe(code);
    }
  });
});
