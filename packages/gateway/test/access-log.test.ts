/**
 * The access log (on by default: one JSON line per request, `access_log.sample` of them, errors
 * always) and route labels by template: the service's route template (`x-portico-route`,
 * dropped before the client) names the request in the log and in the metrics.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AccessLog } from '../src/observe/access-log.ts';
import { makeConfig, startGateway, startServer, type RunningGateway, type TestServer } from './helpers.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
    done();
  },
});
// Lines are written in batches (observe/access-log.ts): other tests' lines may arrive late.
const requests = () => lines.filter((l) => l.msg === 'request' && String(l.path).startsWith('/api/v1/tasks'));

let tasks: TestServer;
let gw: RunningGateway;
const routes = (): Parameters<typeof makeConfig>[1] => [
  { prefix: '/api/v1/tasks', service: 'tasks', auth: 'none' },
];

beforeAll(async () => {
  // A kit-like service: it names the route that answered, as `buildServiceApp` does.
  tasks = await startServer((req, res) => {
    if (req.url!.startsWith('/health')) return void res.end('{}');
    const boom = req.url === '/api/v1/tasks/boom';
    res
      .writeHead(boom ? 500 : 200, {
        'content-type': 'application/json',
        'x-portico-route': boom ? '/api/v1/tasks/boom' : '/api/v1/tasks/:id',
      })
      .end(boom ? '{"status":500}' : '{"id":"42","title":"Write the report"}');
  });
  gw = await startGateway(makeConfig({ tasks: [tasks.url] }, routes()), {
    logger: pino({ level: 'info' }, sink),
  });
});
afterAll(async () => {
  await gw?.close();
  await tasks?.close();
});

describe('the access log', () => {
  it('is on by default: one JSON line per request with its route template, trace and caller', async () => {
    lines.length = 0;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${gw.url}/api/v1/tasks/42?x=1`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-portico-route')).toBeNull();
    const body = await res.text();
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]).toMatchObject({
      request_id: res.headers.get('x-request-id'),
      trace_id: traceId,
      method: 'GET',
      route: '/api/v1/tasks/{id}',
      path: '/api/v1/tasks/42',
      status: 200,
      caller_id: null,
      caller_kind: 'anonymous',
      bytes: Buffer.byteLength(body),
    });
    expect(typeof requests()[0]!.ms).toBe('number');
    expect(typeof requests()[0]!.time).toBe('number');
  });

  it('labels metrics by route template, not by path or route name', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(
      /portico_gateway_requests_total\{route="\/api\/v1\/tasks\/\{id\}",method="GET",status="200"\} \d+/,
    );
    expect(text).not.toContain('route="/api/v1/tasks/42"');
  });

  it('samples: with sample 0 only errors are logged; `false` still turns it off', async () => {
    gw.handle.reload(makeConfig({ tasks: [tasks.url] }, routes(), { access_log: { sample: 0 } }));
    lines.length = 0;
    expect((await fetch(`${gw.url}/api/v1/tasks/7`)).status).toBe(200);
    expect((await fetch(`${gw.url}/api/v1/tasks/boom`)).status).toBe(500);
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]).toMatchObject({ status: 500, route: '/api/v1/tasks/boom' });

    gw.handle.reload(makeConfig({ tasks: [tasks.url] }, routes(), { access_log: false }));
    lines.length = 0;
    expect((await fetch(`${gw.url}/api/v1/tasks/boom`)).status).toBe(500);
    expect((await fetch(`${gw.url}/api/v1/tasks/8`)).status).toBe(200);
    // Lines are written in order: once a later request's line is in, none came before it.
    gw.handle.reload(makeConfig({ tasks: [tasks.url] }, routes()));
    expect((await fetch(`${gw.url}/api/v1/tasks/sentinel`)).status).toBe(200);
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]).toMatchObject({ path: '/api/v1/tasks/sentinel' });
  });
});

describe('the access log writer', () => {
  const fields = {
    request_id: 'id "with" quotes\n',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    method: 'GET',
    route: null,
    path: '/api/v1/tasks/\u00e9t\u00e9"\\',
    status: 404,
    ms: 1.5,
    upstream_ms: null,
    retries: 0,
    caller_id: null,
    caller_kind: 'anonymous',
    bytes: 0,
    ip: '::1',
  };
  /** A stream of the embedding program's own, keeping each write as it came. */
  const chunksInto = (out: string[]) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk.toString('utf8'));
        done();
      },
    });
  const parse = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes the line pino would, escaping what a client chose; a stream of its own gets a line per write', () => {
    const out: string[] = [];
    const dest = chunksInto(out);
    const log = pino({ name: 'gateway', level: 'info', base: { worker: 2 } }, dest);
    const access = new AccessLog(log);
    access.write(fields);
    access.write({ ...fields, status: 200, route: '/api/v1/tasks/{id}', upstream_ms: 0.7 });
    expect(out).toHaveLength(2);
    const [first, second] = out.map((o) => parse(o));
    expect(first).toHaveLength(1);
    expect(first![0]).toMatchObject({ ...fields, level: 30, name: 'gateway', worker: 2, msg: 'request' });
    expect(typeof first![0]!.time).toBe('number');
    expect(second![0]).toMatchObject({ status: 200, route: '/api/v1/tasks/{id}', upstream_ms: 0.7 });

    // Above `info` nothing is written.
    log.level = 'warn';
    access.write(fields);
    expect(out).toHaveLength(2);
  });

  it("keeps the logger's own time format and level label, and leaves a line it cannot reproduce to pino", () => {
    const out: string[] = [];
    const dest = chunksInto(out);
    // The CLI's logger: ISO time, a `svc` binding, level labels as pino numbers.
    const iso = new AccessLog(
      pino({ level: 'info', base: { svc: 'portico' }, timestamp: pino.stdTimeFunctions.isoTime }, dest),
    );
    iso.write(fields);
    const labelled = new AccessLog(
      pino({ level: 'info', base: null, formatters: { level: (label) => ({ level: label }) } }, dest),
    );
    labelled.write(fields);
    // A mixin adds fields to every line: pino writes that line itself.
    const mixed = new AccessLog(pino({ level: 'info', base: null, mixin: () => ({ region: 'eu' }) }, dest));
    mixed.write(fields);

    const [isoLine, labelLine, mixinLine] = out.map((o) => parse(o)[0]!);
    expect(isoLine).toMatchObject({ ...fields, level: 30, svc: 'portico', msg: 'request' });
    expect(isoLine!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(labelLine).toMatchObject({ level: 'info', status: 404, msg: 'request' });
    expect(mixinLine).toMatchObject({ ...fields, region: 'eu', msg: 'request' });
  });

  it("batches lines into pino's own destination and writes them all on flush", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'access-log-'));
    const file = path.join(dir, 'access.log');
    const dest = pino.destination({ dest: file, sync: true });
    const access = new AccessLog(pino({ name: 'gateway', level: 'info' }, dest));
    for (let i = 0; i < 3; i++) access.write({ ...fields, status: 200 + i });
    // Held for up to 100 ms (or 16 KiB) and written as one chunk.
    expect(await readFile(file, 'utf8')).toBe('');
    access.flush();
    const lines = parse(await readFile(file, 'utf8'));
    expect(lines.map((l) => l.status)).toEqual([200, 201, 202]);
    expect(lines[0]).toMatchObject({ ...fields, status: 200, name: 'gateway', msg: 'request' });
    dest.end();
    await rm(dir, { recursive: true, force: true });
  });
});
