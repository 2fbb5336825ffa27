import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServices, userCaller, type TestServices } from '../src/testing/index.ts';
import { notesService } from './fixtures/notes-service.ts';

/** A real OTLP/HTTP JSON receiver on loopback, collecting what the exporter sends. */
function otlpReceiver() {
  const bodies: any[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(JSON.parse(data));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, bodies };
}

describe('OpenTelemetry spans when an exporter is configured', () => {
  const receiver = otlpReceiver();
  let env: TestServices;
  beforeAll(async () => {
    await new Promise<void>((r) => receiver.server.listen(0, '127.0.0.1', r));
    const { port } = receiver.server.address() as AddressInfo;
    env = await startTestServices([notesService], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
  });
  afterAll(async () => {
    await env?.stop();
    receiver.server.close();
  });

  it('exports a server span that continues the incoming trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const res = await env
      .as('notes', userCaller('tracer'))
      .get('/api/v1/notes', { traceparent: `00-${traceId}-${parent}-01` });
    expect(res.status).toBe(200);
    const span = await env.eventually(async () => {
      const spans = receiver.bodies.flatMap((b) =>
        b.resourceSpans.flatMap((r: any) => r.scopeSpans.flatMap((s: any) => s.spans)),
      );
      return spans.find((s: any) => s.traceId === traceId);
    });
    expect(span.parentSpanId).toBe(parent);
    expect(span.name).toBe('GET /api/v1/notes');
  });
});
