/**
 * `portico start gateway --workers 2` as users run it: one process, two worker threads on the
 * port it prints, both serving, and SIGTERM draining both before a clean exit.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { echoService, makeConfig, SECRET, type TestServer } from './helpers.ts';
import { WorkerLoad } from './workers-load.ts';

const CLI = join(resolve(import.meta.dirname, '../../..'), 'packages/cli/src/main.ts');

let orders: TestServer;
let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  orders = await echoService('orders');
  dir = await mkdtemp(join(tmpdir(), 'portico-workers-cli-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await orders.close();
  await rm(dir, { recursive: true, force: true });
});

it('serves from two worker threads and exits cleanly on SIGTERM', async () => {
  const file = join(dir, 'portico.yaml');
  await writeFile(
    file,
    stringify(
      makeConfig({ orders: [orders.url] }, [
        { path: '/api/v1/orders', methods: ['GET'], service: 'orders', auth: 'none' },
      ]),
    ),
  );
  const proc = spawn(process.execPath, [CLI, 'start', 'gateway', '--workers', '2'], {
    env: {
      ...process.env,
      PORTICO_CONFIG: file,
      PORTICO_PASSPORT_SECRET: SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      PORTICO_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /gateway listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', () => reject(new Error(`gateway exited:\n${out}`)));
  });

  const load = new WorkerLoad(1);
  for (let i = 0; i < 200 && load.workersSeen().size < 2; i++) await load.get(`${url}/api/v1/orders`, true);
  load.close();
  expect(load.failures).toEqual([]);
  expect(load.outcomes.filter((o) => o.status !== 200)).toEqual([]);
  expect([...load.workersSeen()].sort()).toEqual(['0', '1']);

  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 60_000);
