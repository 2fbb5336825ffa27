import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServices, userCaller, type TestServices } from '../src/testing/index.ts';
import { countsService, failingOwners, notesService } from './fixtures/notes-service.ts';

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
    env = await startTestServices([notesService, countsService], {
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

  const allSpans = () =>
    receiver.bodies.flatMap((b) =>
      b.resourceSpans.flatMap((r: any) =>
        r.scopeSpans.flatMap((s: any) =>
          s.spans.map((span: any) => ({
            ...span,
            service: r.resource.attributes.find((a: any) => a.key === 'service.name')?.value.stringValue,
          })),
        ),
      ),
    );

  it('sends an event in a PRODUCER span and handles it in a CONSUMER span, each under its service', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const res = await env
      .as('notes', userCaller('writer'))
      .post('/api/v1/notes', { body: 'traced' }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    expect(res.status).toBe(201);
    const inTrace = () => allSpans().filter((s: any) => s.traceId === traceId);
    const server = await env.eventually(async () =>
      inTrace().find((s: any) => s.service === 'notes' && s.kind === 2),
    );
    const producer = await env.eventually(async () =>
      inTrace().find((s: any) => s.service === 'notes' && s.kind === 4 && s.parentSpanId === server.spanId),
    );
    expect(producer.name).toBe('send note.created');
    const consumer = await env.eventually(async () =>
      inTrace().find(
        (s: any) => s.service === 'counts' && s.kind === 5 && s.parentSpanId === producer.spanId,
      ),
    );
    expect(consumer.name).toBe('process note.created');
    expect(consumer.status.code ?? 0).not.toBe(2);
  });

  it('marks the CONSUMER span of a failing handler as an error', async () => {
    failingOwners.add('refused');
    try {
      const traceId = '1af7651916cd43dd8448eb211c80319c';
      const res = await env
        .as('notes', userCaller('refused'))
        .post('/api/v1/notes', { body: 'refused' }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
      expect(res.status).toBe(201);
      const failed = await env.eventually(async () =>
        allSpans().find(
          (s: any) => s.traceId === traceId && s.service === 'counts' && s.kind === 5 && s.status.code === 2,
        ),
      );
      expect(failed.status.message).toContain('refusing refused');
    } finally {
      failingOwners.delete('refused');
    }
  });
});
