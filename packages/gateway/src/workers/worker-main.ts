/**
 * A gateway worker thread: one full gateway (its own runtime, caches and connections) with
 * rate-limit windows in the shared table, listening with SO_REUSEPORT on the port every
 * worker shares. The main thread (`pool.ts`) sends reloads, asks for metrics and closes it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { NatsBus } from '@portico/kit/runtime';
import type { EventBus } from '@portico/kit';
import { createGateway, type GatewayHandle } from '../gateway.ts';
import type { FromWorker, ToWorker, WorkerStartData } from './protocol.ts';
import { PortBus } from './bus-channel.ts';
import { PortUsageStore } from '../usage/port-store.ts';

const data = workerData as WorkerStartData;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const log = pino({ name: 'gateway', level: data.logLevel, base: { worker: data.workerId } });

let askSeq = 0;
const pendingAnswers = new Map<number, (answer: unknown) => void>();

/** Asks the main thread something every worker shares; its answer comes back with the same seq. */
function askMain<T>(question: (seq: number) => FromWorker, timeoutMs = 2000): Promise<T> {
  const seq = ++askSeq;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pendingAnswers.delete(seq);
      reject(new Error('the main thread did not answer'));
    }, timeoutMs);
    pendingAnswers.set(seq, (answer) => {
      clearTimeout(timer);
      resolve(answer as T);
    });
    send(question(seq));
  });
}

function answered(seq: number, answer: unknown): void {
  pendingAnswers.get(seq)?.(answer);
  pendingAnswers.delete(seq);
}

let gateway: GatewayHandle | undefined;
let bus: EventBus | undefined;

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'breaker':
      gateway?.breakers.adopt(m.service, m.origin, m.state, m.openedAt);
      break;
    case 'reload':
      try {
        gateway?.reload(m.config);
        send({ type: 'reloaded', seq: m.seq });
      } catch (err) {
        send({ type: 'reloaded', seq: m.seq, error: err instanceof Error ? err.message : String(err) });
      }
      break;
    case 'render-metrics':
      send({ type: 'metrics', seq: m.seq, text: gateway?.renderMetrics() ?? '' });
      break;
    case 'aggregated-metrics':
      answered(m.seq, m.text);
      break;
    case 'workers-health':
      answered(m.seq, m.workers);
      break;
    case 'close':
      void Promise.allSettled([gateway?.close()])
        .then(() => bus?.close())
        .finally(() => {
          send({ type: 'closed' });
          port.close();
        });
      break;
  }
});

try {
  if (data.bus) bus = new PortBus(data.bus);
  else if (data.nats)
    bus = await NatsBus.connect({
      url: data.nats.url,
      ...(data.nats.stream && { stream: data.nats.stream }),
      ...(data.nats.prefix && { prefix: data.nats.prefix }),
    });
  gateway = await createGateway({
    config: data.config,
    passportSecret:
      typeof data.passportSecret === 'string' ? data.passportSecret : Buffer.from(data.passportSecret),
    ...(bus && { bus }),
    ...(data.redisUrl && { redisUrl: data.redisUrl }),
    ...(data.usageDatabaseUrl && { usageDatabaseUrl: data.usageDatabaseUrl }),
    ...(data.usage && { usageStore: new PortUsageStore(data.usage) }),
    logger: log,
    port: data.port,
    host: data.host,
    sharedWindows: data.sharedWindows,
    sharedState: data.sharedState,
    reusePort: true,
    workerId: data.workerId,
    // Metrics of every worker can take a while to gather; the pool gives each worker 2 s.
    aggregateMetrics: () => askMain<string>((seq) => ({ type: 'aggregate-metrics', seq }), 5000),
    workersHealth: () => askMain((seq) => ({ type: 'ask-workers-health', seq })),
  });
  gateway.breakers.watch((service, origin, state, openedAt) =>
    send({ type: 'breaker', service, origin, state, openedAt }),
  );
  const { port: listening } = await gateway.listen();
  send({ type: 'listening', port: listening });
} catch (err) {
  log.error({ err }, 'gateway worker failed to start');
  send({ type: 'start-failed', message: err instanceof Error ? err.message : String(err) });
  await gateway?.close().catch(() => {});
  await bus?.close().catch(() => {});
  port.close();
}
