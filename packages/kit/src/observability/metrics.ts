/**
 * Prometheus metrics, fed by the kit's diagnostics channels: RED per route template, outbox
 * backlog, consumer outcomes and lag, dead letters. One registry per process; every series is
 * labelled by service, so embedded mode (many services, one process) stays readable.
 */
import client from 'prom-client';
import { kitEvents } from './diagnostics.ts';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const httpDuration = new client.Histogram({
  name: 'portico_http_request_duration_seconds',
  help: 'Service HTTP request duration by route template',
  labelNames: ['service', 'method', 'route', 'status'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
const relayed = new client.Counter({
  name: 'portico_outbox_relayed_total',
  help: 'Events relayed from the outbox to the bus',
  labelNames: ['service', 'type'],
  registers: [registry],
});
const consumed = new client.Counter({
  name: 'portico_events_consumed_total',
  help: 'Events handled by consumers, by outcome',
  labelNames: ['service', 'consumer', 'type', 'outcome'],
  registers: [registry],
});
const lag = new client.Histogram({
  name: 'portico_consumer_lag_seconds',
  help: 'Time from event creation to the end of its handling',
  labelNames: ['service', 'consumer'],
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  registers: [registry],
});

type GaugeSource = () => Promise<number>;
const backlogSources = new Map<string, GaugeSource>();
const deadLetterSources = new Map<string, GaugeSource>();

new client.Gauge({
  name: 'portico_outbox_backlog',
  help: 'Outbox rows committed but not yet relayed',
  labelNames: ['service'],
  registers: [registry],
  async collect() {
    for (const [service, read] of backlogSources) this.set({ service }, await read().catch(() => -1));
  },
});
new client.Gauge({
  name: 'portico_dead_letters',
  help: 'Events parked in the dead-letter table',
  labelNames: ['service'],
  registers: [registry],
  async collect() {
    for (const [service, read] of deadLetterSources) this.set({ service }, await read().catch(() => -1));
  },
});

let subscribed = false;
export function enableKitMetrics(): void {
  if (subscribed) return;
  subscribed = true;
  kitEvents.request.subscribe((m) => {
    httpDuration.observe(
      { service: m.service, method: m.method, route: m.route, status: String(m.status) },
      m.ms / 1000,
    );
  });
  kitEvents.relayed.subscribe((m) => relayed.inc({ service: m.service, type: m.type }));
  kitEvents.consumed.subscribe((m) => {
    consumed.inc({ service: m.service, consumer: m.consumer, type: m.type, outcome: m.outcome });
    if (m.outcome === 'handled') lag.observe({ service: m.service, consumer: m.consumer }, m.lagMs / 1000);
  });
}

export function registerServiceGauges(
  service: string,
  backlog: GaugeSource,
  deadLetters: GaugeSource,
): () => void {
  backlogSources.set(service, backlog);
  deadLetterSources.set(service, deadLetters);
  return () => {
    backlogSources.delete(service);
    deadLetterSources.delete(service);
  };
}
