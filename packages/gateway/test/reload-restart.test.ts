/**
 * Reload honesty: a reload applies what the runtime holds (idempotency's settings included) and
 * names, in a warning, each changed setting that only a restart applies (config/restart.ts).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartOnlyChanges, restartOnlySet } from '../src/config/restart.ts';
import { resolveConfig } from '../src/config/schema.ts';
import { makeConfig, startGateway, startServer, type RunningGateway, type TestServer } from './helpers.ts';
import type { GatewayConfig } from '../src/index.ts';

let upstream: TestServer;
let gw: RunningGateway;
const lines: { level: number; msg: string; needs_restart?: string[] }[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  }),
);

const config = (extra: Partial<GatewayConfig> = {}) =>
  makeConfig(
    { payments: [upstream.url] },
    [{ path: '/api/v1/payments', methods: ['POST'], service: 'payments', auth: 'none' }],
    extra,
  );

beforeAll(async () => {
  upstream = await startServer((req, res) => {
    if (req.url!.startsWith('/health')) return void res.writeHead(200).end('{}');
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"paid":"yes, a long enough answer"}');
  });
  gw = await startGateway(config(), { logger });
});

afterAll(async () => {
  await gw.close();
  await upstream.close();
});

const warnings = () => lines.filter((l) => l.level === 40);

describe('hot reload', () => {
  it('warns, naming it, when a reload changes a setting read only at start', () => {
    const before = warnings().length;
    gw.handle.reload(config({ identity: { clock_skew: '30s' }, store: { prefix: 'other:' } }));
    const added = warnings().slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]!.needs_restart).toEqual(['store.prefix', 'identity.clock_skew']);
    expect(added[0]!.msg).toContain('identity.clock_skew');
    expect(added[0]!.msg).toContain('next restart');
  });

  it('says nothing more once the file is back to what the gateway started with', () => {
    const before = warnings().length;
    gw.handle.reload(config());
    expect(warnings().slice(before)).toEqual([]);
  });

  it('applies idempotency settings on reload', async () => {
    const post = (key: string) =>
      fetch(`${gw.url}/api/v1/payments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: '{}',
      });
    await post('before-reload');
    expect((await post('before-reload')).headers.get('idempotent-replayed')).toBe('true');
    // An answer over max_body is passed through unstored: the reloaded limit is the one used.
    gw.handle.reload(config({ idempotency: { max_body: '8b' } }));
    await post('after-reload');
    expect((await post('after-reload')).headers.get('idempotent-replayed')).toBeNull();
    const before = warnings().length;
    gw.handle.reload(config());
    expect(warnings().slice(before)).toEqual([]);
  });
});

describe('restart-only settings', () => {
  it('are the ones that differ, and those a file sets', () => {
    const a = resolveConfig(config());
    const b = resolveConfig(config({ passport: { ttl: '5m' }, openapi: { refresh: '10s', title: 'X' } }));
    expect(restartOnlyChanges(a, b)).toEqual(['passport.ttl', 'openapi.refresh']);
    expect(restartOnlySet({ listen: { port: 1 }, identity: { clock_skew: '1s', service: 'id' } })).toEqual([
      'listen.port',
      'identity.clock_skew',
    ]);
  });
});
