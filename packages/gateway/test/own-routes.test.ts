import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { API_VERSIONS, LATEST_API_VERSION } from '@portico/kit';
import {
  json,
  makeConfig,
  startGateway,
  startIdentity,
  startServer,
  type Identity,
  type RunningGateway,
  type TestServer,
} from './helpers.ts';

/** A service publishing an OpenAPI 3.1 document of its public routes, as kit services do. */
function documented(
  title: string,
  paths: Record<string, Record<string, unknown>>,
  schemas: Record<string, unknown> = {},
): Promise<TestServer> {
  const doc = { openapi: '3.1.0', info: { title, version: '1.0.0' }, paths, components: { schemas } };
  return startServer((req, res) => {
    if (req.url === '/openapi.json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    // An older API version's document (docs/versions.md): the kit answers `?version=`.
    if (req.url!.startsWith('/openapi.json?version=')) {
      const version = new URLSearchParams(req.url!.split('?')[1]).get('version');
      const old = structuredClone(doc);
      for (const item of Object.values(old.paths))
        for (const o of Object.values(item) as Record<string, unknown>[])
          o.summary = `${title} at ${version}`;
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(old));
    }
    if (req.url!.startsWith('/health')) return void res.end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const op = (id: string, extra: Record<string, unknown> = {}) => ({
  operationId: id,
  responses: { '200': { description: 'ok' } },
  ...extra,
});

let identity: Identity;
let orders: TestServer;
let tasks: TestServer;
let gw: RunningGateway;
let downPort = 0;

beforeAll(async () => {
  identity = await startIdentity();
  orders = await documented(
    'orders',
    {
      '/api/v1/orders': {
        get: op('listOrders', {
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
            },
          },
        }),
        post: op('createOrder'),
      },
      '/api/v1/orders/{id}': {
        get: op('getOrder', {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        }),
      },
      '/internal/orders/{orderId}/legacy': {
        get: op('legacyOrder', {
          parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
        }),
      },
      '/api/v1/not-routed': { get: op('hidden') },
    },
    { Order: { type: 'object', properties: { id: { type: 'string' } } } },
  );
  tasks = await documented(
    'tasks',
    {
      '/api/v1/tasks': {
        get: op('listTasks', {
          responses: {
            '200': {
              description: 'ok',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Order' } } },
            },
          },
        }),
      },
    },
    { Order: { type: 'object', description: 'tasks have their own Order schema' } },
  );
  process.env.PORTICO_TEST_METRICS_TOKEN = 'metrics-test-token';
  const spare = await startServer(() => {});
  downPort = spare.port;
  await spare.close();
  gw = await startGateway(
    makeConfig(
      {
        orders: [orders.url],
        tasks: [tasks.url],
        identity: [identity.url],
        billing: [`http://127.0.0.1:${downPort}`],
      },
      [
        { prefix: '/api/v1/orders', service: 'orders', rate_limits: ['per-caller'] },
        {
          path: '/api/v2/legacy-orders/{id}',
          methods: ['GET'],
          service: 'orders',
          auth: 'optional',
          rewrite: '/internal/orders/{id}/legacy',
          deprecated: { sunset: '2999-01-01', successor: '/api/v1/orders/{id}' },
        },
        { prefix: '/api/v1/tasks', service: 'tasks', auth: 'none' },
        { prefix: '/api/v1/billing', service: 'billing' },
      ],
      {
        policies: { rate_limits: { 'per-caller': { limit: 100, window: '1m' } } },
        trusted_proxies: ['127.0.0.1'],
        metrics: { token_env: 'PORTICO_TEST_METRICS_TOKEN' },
        services: {
          billing: {
            instances: [],
            health: { path: '/health/ready', interval: '100ms', timeout: '100ms', unhealthy_after: 1 },
          },
        },
      },
    ),
  );
});

afterAll(async () => {
  await gw.close();
  await orders.close();
  await tasks.close();
  await identity.close();
});

describe('gateway own routes', () => {
  it('reports aggregated health with each service status, degraded when one is down', async () => {
    await new Promise((r) => setTimeout(r, 400));
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe('degraded');
    expect(body.services).toEqual({
      orders: 'healthy',
      tasks: 'healthy',
      identity: 'healthy',
      billing: 'unhealthy',
    });
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it('answers liveness and readiness', async () => {
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await json(ready)).status).toBe('ready');
  });

  it('serves one OpenAPI 3.1 document that validates and lists every routed operation', async () => {
    const res = await fetch(`${gw.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await json(res);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/orders',
        '/api/v1/orders/{id}',
        '/api/v1/tasks',
        '/api/v2/legacy-orders/{id}',
        // The gateway's own usage routes (`usage.enabled`, on by default).
        '/api/v1/usage',
        '/api/v1/usage/deprecated',
      ].sort(),
    );
    expect(doc.paths['/api/v1/not-routed']).toBeUndefined();
    expect(Object.keys(doc.paths['/api/v1/orders'])).toEqual(['get', 'post']);
  });

  it('serves the document at an older API version from the services’ own, and refuses an unknown one', async () => {
    const latest = await gw.handle.documentForVersion();
    expect((latest.info as Record<string, unknown>)['x-portico-api-version']).toBe(LATEST_API_VERSION);
    const old = await json(await fetch(`${gw.url}/openapi.json?version=${API_VERSIONS[0]}`));
    expect(old.info['x-portico-api-version']).toBe(API_VERSIONS[0]);
    expect(await gw.handle.documentForVersion(API_VERSIONS[0])).toEqual(old);
    // The services' documents at that version were fetched as such (each service's own chain).
    expect(old.paths['/api/v1/orders/{id}'].get.summary).toBe(`orders at ${API_VERSIONS[0]}`);
    expect((latest.paths as any)['/api/v1/orders/{id}'].get.summary).toBeUndefined();
    const bad = await fetch(`${gw.url}/openapi.json?version=2020-02-02`);
    expect(bad.status).toBe(400);
    const problem = await json(bad);
    expect(problem.code).toBe('unsupported_api_version');
    expect(problem.errors[0]).toMatchObject({ field: 'version', code: 'not_allowed' });
    await expect(gw.handle.documentForVersion('2020-02-02')).rejects.toThrow(/not an API version/);
  });

  it('describes security, limits and deprecations from the gateway config', async () => {
    const doc = await json(await fetch(`${gw.url}/openapi.json`));
    const list = doc.paths['/api/v1/orders'].get;
    expect(list.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
    expect(list.responses['429']).toBeDefined();
    expect(list['x-portico-rate-limits']).toEqual([
      { name: 'per-caller', limit: 100, window_seconds: 60, by: ['caller'] },
    ]);
    expect(doc.paths['/api/v1/tasks'].get.security).toEqual([]);
    const legacy = doc.paths['/api/v2/legacy-orders/{id}'].get;
    expect(legacy.deprecated).toBe(true);
    expect(legacy['x-sunset']).toBe('2999-01-01T00:00:00.000Z');
    expect(legacy.parameters[0].name).toBe('id');
    expect(doc.components.securitySchemes.bearerAuth.scheme).toBe('bearer');
  });

  it('keeps two services’ schemas of the same name apart', async () => {
    const doc = await json(await fetch(`${gw.url}/openapi.json`));
    expect(doc.components.schemas.OrdersOrder).toBeDefined();
    expect(doc.components.schemas.TasksOrder.description).toBe('tasks have their own Order schema');
    expect(doc.paths['/api/v1/tasks'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/TasksOrder',
    );
  });

  it('serves an interactive reference page and its assets without a CDN', async () => {
    const page = await fetch(`${gw.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${gw.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect(await (await fetch(`${gw.url}/docs/init.js`)).text()).toContain('/openapi.json');
  });

  it('serves Prometheus metrics to loopback callers with RED series by route template', async () => {
    await fetch(`${gw.url}/api/v1/tasks/1`);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(
      /portico_gateway_requests_total\{route="\/api\/v1\/tasks\/\*",method="GET",status="200"\} \d+/,
    );
    expect(text).toContain('portico_gateway_request_duration_seconds_bucket');
    expect(text).toContain('portico_gateway_added_latency_seconds_bucket');
    expect(text).toContain('portico_gateway_upstream_duration_seconds_bucket{service="tasks"');
    expect(text).toContain('portico_gateway_breaker_state');
  });

  it('hides /metrics from a remote caller behind a trusted proxy unless it presents the token', async () => {
    const remote = { 'x-forwarded-for': '203.0.113.9' };
    expect((await fetch(`${gw.url}/metrics`, { headers: remote })).status).toBe(404);
    const withToken = await fetch(`${gw.url}/metrics`, {
      headers: { ...remote, authorization: 'Bearer metrics-test-token' },
    });
    expect(withToken.status).toBe(200);
    expect(withToken.headers.get('content-type')).toContain('text/plain');
  });
});
