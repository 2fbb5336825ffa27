/**
 * Typed events at run time: the trace of the work in hand (a request, a consumed event) reaches
 * the events it publishes through AsyncLocalStorage, a consumer gets the service's own deps, and
 * a type the service does not declare in `publishes` is refused. (The compile-time half is
 * packages/contracts/test/typed-events.types.ts, checked by `npm run typecheck`.)
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineConsumer,
  defineService,
  Type,
  type ConsumerContext,
  type EventEnvelope,
  type ServiceDeps,
} from '../src/index.ts';
import { startTestServices, userCaller, type TestServices } from '../src/testing/index.ts';

interface PingEvents {
  'ping.sent': { n: number };
  'ping.echoed': { n: number; deps_match: boolean };
}
type PingDeps = ServiceDeps<any, Record<string, unknown>, PingEvents>;

let routeDeps: PingDeps | undefined;

// `ping.*` are this test's own types, not in the platform's map (EventTypes): hence the casts.
const echo = defineConsumer({
  name: 'echo',
  types: ['ping.sent' as never],
  async handle(event, { trx, deps }: ConsumerContext<PingDeps>) {
    const data = (event as EventEnvelope).data as { n: number };
    await deps.publish(trx, 'ping.echoed', { n: data.n, deps_match: deps === routeDeps });
  },
});

const pingService = defineService<any, Record<string, unknown>, PingEvents>({
  name: 'ping',
  version: '1.0.0',
  migrations: [],
  publishes: ['ping.sent', 'ping.echoed'],
  consumers: [echo],
  routes(app, deps) {
    routeDeps = deps;
    app.post(
      '/api/v1/pings',
      { schema: { body: Type.Object({ n: Type.Integer() }) } },
      async (req, reply) => {
        await deps.tx((trx) => deps.publish(trx, 'ping.sent', { n: req.body.n }));
        return reply.code(202).send({ n: req.body.n });
      },
    );
    app.post('/api/v1/undeclared', async () =>
      deps.tx((trx) => deps.publish(trx, 'pong.sent' as never, { n: 1 } as never)),
    );
  },
});

describe('typed events at run time', () => {
  let env: TestServices;
  const seen: EventEnvelope[] = [];
  beforeAll(async () => {
    env = await startTestServices([pingService]);
    await env.bus.subscribe(
      { consumer: `probe-${randomBytes(3).toString('hex')}`, types: ['ping.sent', 'ping.echoed'] },
      async (event) => {
        seen.push(event);
      },
    );
  });
  afterAll(() => env?.stop());

  it('carries the request’s trace to its event, and the event’s trace to what a consumer publishes', async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const res = await env.as('ping', userCaller('p1')).post('/api/v1/pings', { n: 7 }, { traceparent });
    expect(res.status).toBe(202);
    const sent = await env.eventually(async () => seen.find((e) => e.type === 'ping.sent'));
    const echoed = await env.eventually(async () => seen.find((e) => e.type === 'ping.echoed'));
    expect(sent.traceparent?.split('-')[1]).toBe(traceId);
    expect(echoed.traceparent).toBe(sent.traceparent);
    expect(echoed.data).toEqual({ n: 7, deps_match: true });
  });

  it('refuses to publish a type the service does not declare, and commits nothing', async () => {
    const res = await env.as('ping', userCaller('p2')).post('/api/v1/undeclared', {});
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('internal_error');
    const rows = await env.services
      .get('ping')!
      .deps.db.selectFrom('kit_outbox')
      .select('type')
      .where('type', '=', 'pong.sent')
      .execute();
    expect(rows).toEqual([]);
  });
});
