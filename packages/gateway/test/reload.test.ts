import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../src/index.ts';
import {
  echoService,
  json,
  makeConfig,
  sleep,
  startGateway,
  startIdentity,
  until,
  type Echo,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';
import type { GatewayConfig } from '../src/index.ts';

let identity: Identity;
let one: TestServer;
let two: TestServer;
let dir: string;
let file: string;
let gw: RunningGateway;

function config(ordersUrl: string, extraRoute = false): GatewayConfig {
  return makeConfig({ orders: [ordersUrl], identity: [identity.url] }, [
    { prefix: '/api/v1/orders', service: 'orders', auth: 'none' },
    ...(extraRoute
      ? [{ path: '/api/v1/new', methods: ['GET'], service: 'orders', auth: 'none' as const }]
      : []),
  ]);
}

async function reloads(result: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const m = new RegExp(`portico_gateway_config_reloads_total\\{result="${result}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : 0;
}

beforeAll(async () => {
  identity = await startIdentity();
  one = await echoService('orders');
  two = await echoService('orders');
  dir = await mkdtemp(join(tmpdir(), 'portico-reload-'));
  file = join(dir, 'portico.yaml');
  await writeFile(file, stringify(config(one.url)));
  gw = await startGateway(await loadGatewayConfig(file), { configPath: file });
});

afterAll(async () => {
  await gw.close();
  await one.close();
  await two.close();
  await identity.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hot reload', () => {
  it('applies a changed file under continuous load without losing a request', async () => {
    let stop = false;
    const statuses: number[] = [];
    const worker = async () => {
      while (!stop) {
        const res = await fetch(`${gw.url}/api/v1/orders`).catch(() => null);
        statuses.push(res?.status ?? 0);
        await res?.arrayBuffer();
      }
    };
    const workers = Array.from({ length: 6 }, worker);
    await sleep(150);
    await writeFile(file, stringify(config(two.url, true)));
    await until(async () => (await fetch(`${gw.url}/api/v1/new`)).status === 200, 5000);
    const before = two.hits;
    await sleep(150);
    stop = true;
    await Promise.all(workers);
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(two.hits).toBeGreaterThan(before);
    const echo = await json<Echo>(await fetch(`${gw.url}/api/v1/new`));
    expect(echo.service).toBe('orders');
  });

  it('rejects an invalid file and keeps serving the running config', async () => {
    const rejectedBefore = await reloads('invalid');
    await writeFile(
      file,
      'version: 1\nservices: {}\nroutes:\n  - path: /x\n    service: nowhere\n    auth: sometimes\n',
    );
    await until(async () => (await reloads('invalid')) > rejectedBefore, 5000);
    expect((await fetch(`${gw.url}/api/v1/new`)).status).toBe(200);
    expect((await fetch(`${gw.url}/api/v1/orders`)).status).toBe(200);
  });

  it('reloads the file on SIGHUP', async () => {
    await writeFile(file, stringify(config(two.url, false)));
    await until(async () => (await fetch(`${gw.url}/api/v1/new`)).status === 404, 5000);
    const applied = await reloads('applied');
    const invalid = await reloads('invalid');
    process.kill(process.pid, 'SIGHUP');
    await until(async () => (await reloads('applied')) > applied, 5000);
    expect(await reloads('applied')).toBeGreaterThan(applied);
    expect(await reloads('invalid')).toBe(invalid);
    // The re-read file is what the gateway serves: orders on the second instance, no /api/v1/new.
    const hits = two.hits;
    expect((await fetch(`${gw.url}/api/v1/orders`)).status).toBe(200);
    expect(two.hits).toBeGreaterThan(hits);
    expect((await fetch(`${gw.url}/api/v1/new`)).status).toBe(404);
  });
});
