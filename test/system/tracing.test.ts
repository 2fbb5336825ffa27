/**
 * One trace from the edge through events: with an OTLP endpoint configured, placing an order
 * yields one trace in which the gateway's span is the parent of orders', orders' span the
 * parent of the outbox's PRODUCER span, and that the parent of shipping's and notifications'
 * CONSUMER spans — each span exported under its own service name, in both modes.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}

/** OTLP span kinds as exported (OTLP JSON: the protobuf enum's numbers). */
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;

/** An OTLP/HTTP JSON receiver (`POST /v1/traces`), keeping every span with its service's name. */
function otlpReceiver() {
  const spans: Span[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value
            ?.stringValue as string;
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) spans.push({ ...s, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, spans };
}

describe.skipIf(skip)(`one trace from the gateway through events (${systemMode})`, () => {
  const receiver = otlpReceiver();
  let sys: System;
  let staff: Session;
  let alice: Session;

  beforeAll(async () => {
    await new Promise<void>((r) => receiver.server.listen(0, '127.0.0.1', r));
    const { port } = receiver.server.address() as AddressInfo;
    sys = await startSystem({
      services: ['identity', 'orders', 'shipping', 'notifications'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    staff = await sys.grantRoles(await sys.signUp(), ['staff']);
    alice = await sys.signUp();
  }, 180_000);
  afterAll(async () => {
    await sys?.stop();
    receiver.server.close();
  });

  it('placing an order is one trace: gateway → orders → outbox → shipping and notifications', async () => {
    const warehouse = await staff.client.post('/api/v1/warehouses', {
      code: 'NBO',
      name: 'Nairobi DC',
      latitude: -1.2921,
      longitude: 36.8219,
    });
    expect([201, 409]).toContain(warehouse.status);
    const product = await staff.client.post('/api/v1/products', {
      sku: `TRC-${randomBytes(5).toString('hex')}`,
      name: 'Kikoi',
      price: { amount: 150000, currency: 'KES' },
    });
    expect(product.status).toBe(201);
    const stock = await staff.client.put(
      `/api/v1/products/${product.body.id}/stock/NBO`,
      { quantity: 3 },
      { 'if-match': (await staff.client.get(`/api/v1/products/${product.body.id}`)).headers.get('etag')! },
    );
    expect(stock.status).toBe(200);
    const cart = await alice.client.post('/api/v1/carts', {});
    expect(cart.status).toBe(201);
    const item = { product_id: product.body.id, quantity: 1 };
    expect((await alice.client.post(`/api/v1/carts/${cart.body.id}/items`, item)).status).toBe(201);

    // The client starts the trace; everything after continues it.
    const traceId = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const placed = await alice.client.post(
      '/api/v1/orders',
      {
        cart_id: cart.body.id,
        shipping_address: {
          name: 'Achieng Otieno',
          line1: '4 Kenyatta Avenue',
          city: 'Nairobi',
          country: 'KE',
        },
      },
      { traceparent: `00-${traceId}-${clientSpan}-01` },
    );
    expect(placed.status).toBe(201);

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const find = (service: string, kind: number, name: string, parent: string) =>
      inTrace().find(
        (s) => s.service === service && s.kind === kind && s.name === name && s.parentSpanId === parent,
      );
    // Parent to child: each span is looked for under the one before it.
    const gateway = await sys.eventually(async () =>
      find('gateway', SERVER, 'POST /api/v1/orders', clientSpan),
    );
    const orders = await sys.eventually(async () =>
      inTrace().find((s) => s.service === 'orders' && s.kind === SERVER && s.parentSpanId === gateway.spanId),
    );
    expect(orders.name).toMatch(/^POST \/api\/v1\/orders/);
    const producer = await sys.eventually(async () =>
      find('orders', PRODUCER, 'send order.confirmed', orders.spanId),
    );
    const shipping = await sys.eventually(async () =>
      find('shipping', CONSUMER, 'process order.confirmed', producer.spanId),
    );
    const notifications = await sys.eventually(async () =>
      find('notifications', CONSUMER, 'process order.confirmed', producer.spanId),
    );
    // What shipping publishes while handling the event continues the same trace.
    const shipped = await sys.eventually(async () =>
      inTrace().find(
        (s) => s.service === 'shipping' && s.kind === PRODUCER && s.parentSpanId === shipping.spanId,
      ),
    );
    expect(shipped.name).toMatch(/^send shipment\./);
    expect(notifications.spanId).not.toBe(shipping.spanId);

    // Every part names itself, in one process (embedded) as in four.
    expect([...new Set(inTrace().map((s) => s.service))]).toEqual(
      expect.arrayContaining(['gateway', 'orders', 'shipping', 'notifications']),
    );
  });
});
