/**
 * The CLI finds services where the gateway would: through the gateway's own
 * `PORTICO_UPSTREAM_<NAME>` overrides, not a copy of them.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig, serviceUrls } from '@portico/gateway';
import { configuredServiceUrls } from '../src/platform.ts';

const YAML = `version: 1
services:
  order-history:
    instances: [http://127.0.0.1:8010/]
  orders:
    instances: [http://127.0.0.1:8003]
routes:
  - prefix: /h
    service: order-history
    auth: none
`;

describe('the CLI’s service addresses', () => {
  it('are the gateway’s: the same overrides, parsed the same way', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'portico-urls-')), 'portico.yaml');
    await writeFile(file, YAML);
    const env = { PORTICO_UPSTREAM_ORDER_HISTORY: ' http://10.0.0.5:8010/, ,http://10.0.0.6:8010' };
    const urls = await configuredServiceUrls(file, env);
    const parsed = parseGatewayConfig(YAML, env);
    if (!parsed.ok) throw new Error('fixture config invalid');
    const gateway = serviceUrls(parsed.config);
    for (const name of ['order-history', 'orders']) expect(urls(name), name).toEqual(gateway[name]);
    expect(urls('order-history')).toEqual(['http://10.0.0.5:8010', 'http://10.0.0.6:8010']);
    expect(urls('orders')).toEqual(['http://127.0.0.1:8003']);
  });

  it('reach a service the file does not name through its override alone', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'portico-urls-')), 'portico.yaml');
    await writeFile(file, YAML);
    const urls = await configuredServiceUrls(file, { PORTICO_UPSTREAM_COUNTS: 'http://127.0.0.1:9999' });
    expect(urls('counts')).toEqual(['http://127.0.0.1:9999']);
    expect(urls('nowhere')).toBeUndefined();
  });
});
