/** What `createGateway` takes and what it hands back (gateway.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { EventBus } from '@portico/kit';
import type { GatewayConfig } from './config/schema.ts';
import type { WorkerHealth } from './own/routes.ts';
import type { BreakerState } from './upstream/breaker.ts';
import type { UsageStore } from './usage/store.ts';

export interface GatewayOptions {
  config: GatewayConfig;
  /** With a path, the file is watched (and SIGHUP honoured) for hot reloads. */
  configPath?: string;
  /** Root secret from which per-service passport keys are derived. */
  passportSecret: string | Buffer;
  bus?: EventBus;
  /** Shared state in Redis; without it, in memory. */
  redisUrl?: string;
  logger?: Logger;
  /** Where OpenTelemetry settings are read (`OTEL_EXPORTER_OTLP_ENDPOINT`); default process.env. */
  env?: Record<string, string | undefined>;
  port?: number;
  host?: string;
  /** Set by a worker thread (`workers/`): rate-limit windows shared by every worker. */
  sharedWindows?: SharedArrayBuffer;
  /** Set by a worker thread: the port to the main thread's idempotency records and denylist. */
  sharedState?: MessagePort;
  /** Set by a worker thread: listen with SO_REUSEPORT beside the other workers. */
  reusePort?: boolean;
  /** Set by a worker thread: answers carry `x-portico-worker: <id>`. */
  workerId?: number;
  /** Set by a worker thread: `/metrics` answers every worker's metrics merged. */
  aggregateMetrics?: () => Promise<string>;
  /** Set by a worker thread: `/health` lists every worker. */
  workersHealth?: () => Promise<WorkerHealth[]>;
  /** Where usage is kept (embedded mode: the platform's PGlite; docs/usage.md); the host closes it. */
  usageStore?: UsageStore;
  /** Distributed mode: usage in this PostgreSQL database (`USAGE_DATABASE_URL`), opened and closed by the gateway. */
  usageDatabaseUrl?: string;
}

export interface GatewayHandle {
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
  /** Validated config → new runtime, swapped atomically. */
  reload(config: GatewayConfig): void;
  readonly url: string;
  /** This gateway's own metrics in the text format (worker threads report them to the main thread). */
  renderMetrics(): string;
  /**
   * The platform's OpenAPI document at a dated API version (docs/versions.md; default the
   * latest), as `/openapi.json?version=` serves it. Rejects an unknown version.
   */
  documentForVersion(version?: string): Promise<Record<string, unknown>>;
  /**
   * Breaker changes: `watch` hears this gateway's own, `adopt` applies another worker's
   * (a worker thread passes them through the main thread, so breakers agree within one hop).
   */
  breakers: {
    watch(fn: (service: string, origin: string, state: BreakerState, openedAt: number) => void): void;
    adopt(service: string, origin: string, state: BreakerState, openedAt: number): void;
  };
}
