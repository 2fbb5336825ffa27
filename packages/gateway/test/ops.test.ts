/**
 * The operator routes as the gateway compiles and documents them, and what the event feed lets
 * through of an event's data. Their behaviour through real services is in test/system/ops.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../src/config/compile.ts';
import type { GatewayConfig } from '../src/config/schema.ts';
import { GatewayMetrics } from '../src/observe/metrics.ts';
import { InstanceRegistry } from '../src/upstream/service.ts';
import { build } from '../src/own/openapi.ts';
import { REDACTED, redactData } from '../src/ops/redact.ts';
import { feedEvent } from '../src/ops/events.ts';
import { makeEvent } from '@portico/kit';

const config = (ops?: GatewayConfig['ops']): GatewayConfig => ({
  version: 1,
  ...(ops && { ops }),
  services: { tasks: { instances: ['http://127.0.0.1:1'], health: false } },
  routes: [{ prefix: '/api/v1/tasks', service: 'tasks' }],
});

describe('operator routes', () => {
  it('are compiled only when ops.enabled, for the ops permission, refusing API keys', async () => {
    const registry = new InstanceRegistry();
    expect(compile(config(), registry, new GatewayMetrics()).routes.some((r) => r.kind === 'ops')).toBe(
      false,
    );
    const rt = compile(config({ enabled: true }), registry, new GatewayMetrics());
    const ops = rt.routes.filter((r) => r.kind === 'ops');
    expect(ops.map((r) => `${[...(r.methods ?? [])].join()} ${r.template}`)).toEqual([
      'GET /api/v1/ops/dead-letters',
      'POST /api/v1/ops/dead-letters/{service}/{id}/replay',
      'GET /api/v1/ops/events',
    ]);
    for (const r of ops) {
      expect(r).toMatchObject({
        auth: 'required',
        permission: 'ops:manage',
        keyScopes: [],
        idempotency: false,
      });
    }
    const doc = build(rt, () => null) as { paths: Record<string, Record<string, any>> };
    const list = doc.paths['/api/v1/ops/dead-letters']!.get;
    expect(list['x-portico-permission']).toBe('ops:manage');
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '422']));
    expect(Object.keys(doc.paths['/api/v1/ops/events']!.get.responses['200'].content)).toEqual([
      'text/event-stream',
    ]);
    await registry.closeAll();
  });
});

describe('what the event feed shows of an event', () => {
  it('redacts secret-named fields at any depth and keeps the rest', () => {
    const data = {
      user_id: 'u1',
      email: 'a@example.test',
      password: 'hunter2',
      nested: { access_token: 't', refreshToken: 'r', items: [{ api_key: 'k', course_code: 'MATH7' }] },
      client_secret: 's',
    };
    expect(redactData(data)).toEqual({
      user_id: 'u1',
      email: 'a@example.test',
      password: REDACTED,
      nested: {
        access_token: REDACTED,
        refreshToken: REDACTED,
        items: [{ api_key: REDACTED, course_code: 'MATH7' }],
      },
      client_secret: REDACTED,
    });
    expect(redactData({ blob: 'x'.repeat(9000) })).toEqual({ truncated: true, bytes: expect.any(Number) });
  });

  it('carries the envelope without its trace context', () => {
    const e = makeEvent(
      'tasks',
      'task.created',
      { title: 'T', token: 'x' },
      { subject: 's1', traceparent: '00-a-b-01' },
    );
    expect(feedEvent(e)).toEqual({
      id: e.id,
      type: 'task.created',
      source: 'tasks',
      subject: 's1',
      time: e.time,
      data: { title: 'T', token: REDACTED },
    });
  });
});
