/**
 * The gateway's /docs page as a person sees it: a real browser (Debian's chromium through
 * playwright-core) renders the interactive reference with the services' operations.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startSystem, systemMode, type System } from './harness.ts';

const CHROMIUM = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';
function browserUnavailable(): string | null {
  if (systemMode !== 'embedded') return 'the docs page is checked once, in embedded mode';
  if (existsSync(CHROMIUM)) return null;
  const reason = `no browser at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason}; .ci/run installs it in CI`);
  return reason;
}
const skip = browserUnavailable();

describe.skipIf(skip)('the API reference page at /docs', () => {
  let sys: System;
  let browser: Browser;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'orders', 'shipping', 'tasks', 'notifications'] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.stop();
  });

  it('renders every service’s operations from the one OpenAPI document, without any request leaving the machine', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol.startsWith('http'))
        external.push(r.url());
    });
    const res = await page.goto(`${sys.url}/docs`);
    expect(res?.status()).toBe(200);
    // The page's own script renders the operations; wait until the text shows one, then read it.
    await page.getByText('/api/v1/orders', { exact: false }).first().waitFor({ timeout: 20_000 });
    const text = await page.locator('body').innerText();
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/orders',
      '/api/v1/shipments',
      '/api/v1/tasks',
      '/api/v1/notifications',
    ]) {
      expect(text).toContain(p);
    }
    await page.screenshot({ path: path.join(os.tmpdir(), 'portico-docs.png'), fullPage: false });
    expect(external).toEqual([]);
  });
});
