/** What a request context needs from the gateway that runs it. */
import type { Logger } from 'pino';
import type { RequestTracer } from '@portico/kit/runtime';
import type { Authenticator } from './auth/authenticate.ts';
import type { PassportMint } from './auth/principal.ts';
import type { RateLimiter } from './limits/rate-limit.ts';
import type { AccessLog } from './observe/access-log.ts';
import type { GatewayMetrics, HistogramSeries } from './observe/metrics.ts';
import type { GatewayStore } from './store/store.ts';
import type { RequestContext } from './pipeline/context.ts';
import type { ConnectionRegistry } from './websocket/connections.ts';
import type { EventFeed } from './ops/events.ts';
import type { UsageRecorder } from './usage/recorder.ts';

export type OwnHandler = (ctx: RequestContext) => void;

export interface GatewayCore {
  readonly authenticator: Authenticator;
  readonly limiter: RateLimiter;
  readonly store: GatewayStore;
  readonly mint: PassportMint;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  /** The access log's writer (observe/access-log.ts). */
  readonly accessLog: AccessLog;
  /** OpenTelemetry SERVER spans per request; undefined without an OTLP endpoint (no cost). */
  readonly tracer: RequestTracer | undefined;
  readonly connections: ConnectionRegistry;
  /** The live event feed of `/api/v1/ops/events` (null without a bus). */
  readonly events: EventFeed | null;
  /** Usage recording and its store (null: `usage.enabled` off or no usage store). */
  readonly usage: UsageRecorder | null;
  readonly idempotencyLockMs: number;
  readonly idempotencyTtlMs: number;
  readonly idempotencyMaxBody: number;
  ownRoute(path: string): OwnHandler | undefined;
  reportDenied(ctx: RequestContext, status: 401 | 403, reason: string): void;
  upstreamSeries(service: string): HistogramSeries;
}
