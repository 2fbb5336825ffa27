/**
 * @portico/kit/runtime — what hosts use: start a service on given storage and bus, the
 * storage and bus implementations, migrations, settings, logging, metrics, passports and the
 * gateway's edge helpers. A service's own code needs none of this (`@portico/kit`).
 */
export { startService } from './start-service.ts';
export type { RunningService, StartServiceOptions } from './start-service.ts';
export { runInScope, currentScope } from './scope.ts';
export type { WorkScope } from './scope.ts';
export type { DatabaseProvider, ServiceDatabase } from '../db/database.ts';
export { PGliteProvider } from '../db/pglite.ts';
export { PostgresProvider } from '../db/postgres.ts';
export { loadMigrations, runMigrations } from '../db/migrations.ts';
export { kitMigrations } from '../db/kit-migrations.ts';
export { MemoryBus } from '../events/memory-bus.ts';
export { NatsBus } from '../events/nats-bus.ts';
export type { DeadLetter } from '../events/consumer.ts';
export { loadSettings, loadVariable, SettingsError } from '../config/settings.ts';
export { createServiceClient } from '../client/service-client.ts';
export { createLogger, logLevel, REDACT_PATHS } from '../observability/logger.ts';
export { createRequestTracer, otlpTracesUrl, untraced } from '../observability/tracing.ts';
export type { RequestTracer, RequestSpan, EventSpan } from '../observability/tracing.ts';
export { registry as metricsRegistry } from '../observability/metrics.ts';
export { kitEvents } from '../observability/diagnostics.ts';
export {
  derivePassportKey,
  mintPassport,
  verifyPassport,
  PASSPORT_HEADER,
  ROUTE_TEMPLATE_HEADER,
  PASSPORT_TTL_SECONDS,
} from '../auth/passport.ts';
export { answerClientError } from '../errors/problem.ts';
