/**
 * The platform with `workers: 2` in portico.yaml: the gateway on two worker threads sharing its
 * port. In embedded mode the workers are threads of the one process and reach its in-process
 * bus through the main thread (packages/gateway/src/workers/bus-channel.ts); in distributed
 * mode each connects to NATS. Either way a logout and an API key's revocation reach both
 * workers' denylists within the stated bound, /health lists both; the console's operator view shows them (embedded mode, Debian's chromium).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { chromium } from 'playwright-core';
import { startSystem, systemMode, systemUnavailable, type System } from './harness.ts';

const skip = await systemUnavailable();
const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
const noBrowser =
  systemMode !== 'embedded'
    ? 'the console is checked in embedded mode'
    : existsSync(CHROMIUM) || process.env.CI === 'true'
      ? null
      : `no browser at ${CHROMIUM}`;

/** A request on a connection of its own, so the kernel may hand it to either worker. */
function freshConnection(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skip)(`the gateway on two workers (${systemMode})`, () => {
  let sys: System;
  beforeAll(async () => {
    sys = await startSystem({ services: ['tasks'], configure: (doc) => (doc.workers = 2) });
  }, 120_000);
  afterAll(() => sys?.stop());

  it('lists both workers in /health', async () => {
    const health = (await sys.anonymous.get('/health')).body as { workers?: unknown };
    expect(health.workers).toEqual([
      { id: 0, state: 'serving', restarts: 0 },
      { id: 1, state: 'serving', restarts: 0 },
    ]);
  });

  it('serves a user on both workers and refuses the token on both once they log out', async () => {
    const u = await sys.signUp();
    const me = `${sys.url}/api/v1/auth/me`;
    const before = await Promise.all(Array.from({ length: 16 }, () => freshConnection(me, u.access_token)));
    expect(before).toEqual(Array(16).fill(200));
    expect((await u.client.post('/api/v1/tasks', { title: 'on two workers' })).status).toBe(201);

    expect((await u.client.post('/api/v1/auth/logout', { refresh_token: u.refresh_token })).status).toBe(204);
    // Each worker learns of the revocation from the bus; 16 fresh connections then all fail.
    await sys.eventually(async () => {
      const after = await Promise.all(Array.from({ length: 16 }, () => freshConnection(me, u.access_token)));
      return after.every((s) => s === 401);
    }, 10_000);
  });

  it('refuses a revoked API key on both workers within 5 s', async () => {
    const u = await sys.signUp();
    const created = await u.client.post('/api/v1/api-keys', {
      name: 'workers',
      scopes: ['profile:read:own'],
    });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const me = `${sys.url}/api/v1/auth/me`;
    // Each worker verifies the key once and caches it.
    expect(await Promise.all(Array.from({ length: 16 }, () => freshConnection(me, key)))).toEqual(
      Array(16).fill(200),
    );
    expect((await u.client.delete(`/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    const revokedAt = Date.now();
    await sys.eventually(async () => {
      const after = await Promise.all(Array.from({ length: 16 }, () => freshConnection(me, key)));
      return after.every((s) => s === 401);
    }, 5_000);
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });

  it.skipIf(noBrowser)(
    'shows each worker in the console’s operator view',
    async () => {
      const admin = await sys.admin();
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(`${sys.url}/console`);
        await page.getByLabel('Email').fill(admin.email);
        await page.getByLabel('Password').fill(admin.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        const workers = page.getByTestId('gateway-workers');
        await workers.getByText('worker 1').waitFor();
        expect(await workers.locator('li').allInnerTexts()).toEqual([
          expect.stringMatching(/worker 0\s+serving/),
          expect.stringMatching(/worker 1\s+serving/),
        ]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
