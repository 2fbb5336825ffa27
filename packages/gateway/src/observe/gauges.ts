/** The gauges read at scrape time: breaker state, health, in-flight requests per instance, store up. */
import { Gauge, type GatewayMetrics } from './metrics.ts';
import type { Instance, UpstreamService } from '../upstream/service.ts';
import type { GatewayStore } from '../store/store.ts';

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

export function addGauges(
  metrics: GatewayMetrics,
  services: () => Iterable<UpstreamService>,
  store: GatewayStore,
): void {
  const perInstance = (name: string, help: string, value: (i: Instance) => number) =>
    metrics.addGauge(
      new Gauge(name, help, () =>
        [...services()].flatMap((s) =>
          s.instances.map((i): [Record<string, string>, number] => [
            { service: s.name, instance: i.origin },
            value(i),
          ]),
        ),
      ),
    );
  perInstance(
    'portico_gateway_breaker_state',
    'Circuit breaker per instance: 0 closed, 1 half-open, 2 open.',
    (i) => BREAKER_VALUE[i.breaker.state],
  );
  perInstance(
    'portico_gateway_instance_healthy',
    'Active health check result per instance (1 healthy).',
    (i) => (i.healthy ? 1 : 0),
  );
  perInstance('portico_gateway_instance_inflight', 'Requests in flight per instance.', (i) => i.inflight);
  metrics.addGauge(
    new Gauge('portico_gateway_store_up', 'Whether the gateway store (memory or Redis) answers.', () => [
      [{ kind: store.kind }, store.isReady() ? 1 : 0],
    ]),
  );
}
