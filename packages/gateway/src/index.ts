/** @portico/gateway — the declarative API gateway. */
export { createGateway } from './gateway.ts';
export { SqlUsageStore } from './usage/store.ts';
export type { UsageStore } from './usage/store.ts';
export type { GatewayOptions, GatewayHandle } from './gateway.ts';
export {
  loadGatewayConfig,
  parseGatewayConfig,
  applyEnvOverrides,
  upstreamOverride,
  upstreamVariable,
  serviceUrls,
  ConfigError,
} from './config/load.ts';
export { validateGatewayConfig } from './config/validate.ts';
export { RESTART_ONLY, restartOnlyChanges, restartOnlySet } from './config/restart.ts';
export type { ConfigIssue, ValidationResult } from './config/validate.ts';
export type * from './config/schema.ts';
export { explain, formatExplanation } from './explain.ts';
export type { Explanation, ExplainStep } from './explain.ts';
export { liveState, formatLive } from './explain-live.ts';
export type { LiveState } from './explain-live.ts';
export { startGatewayWorkers, resolveWorkerCount, GatewayWorkerPool } from './workers/pool.ts';
export type { WorkerPoolOptions } from './workers/pool.ts';
