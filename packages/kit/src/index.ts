/** @portico/kit — everything a Portico service is built on. */
export { defineService } from './service.ts';
export type {
  ServiceApp,
  ServiceDefinition,
  ServiceDeps,
  ConsumerDefinition,
  ConsumerContext,
  PublishOptions,
} from './service.ts';
export { AppError, isAppError, problem, PROBLEM_CONTENT_TYPE } from './errors/problem.ts';
export type { FieldError, ProblemBody } from './errors/problem.ts';
export { problemRegistry, problemType, PROBLEM_BASE } from './errors/registry.ts';
export type { ProblemCode } from './errors/registry.ts';
export { can, scopeOf, hasRole, anonymousCaller } from './auth/caller.ts';
export type { Caller, AuthMethod } from './auth/caller.ts';
export {
  ROLES,
  rolePermissions,
  permissionsForRoles,
  permissionScope,
  grantCovers,
  isRole,
} from './auth/permissions.ts';
export type { Role } from './auth/permissions.ts';
export {
  derivePassportKey,
  mintPassport,
  verifyPassport,
  PASSPORT_HEADER,
  PASSPORT_TTL_SECONDS,
} from './auth/passport.ts';
export * from './contracts/identity.ts';
export * from './contracts/events.ts';
export { sendProblem } from './http/app.ts';
export { acceptRequestId, continueTrace } from './http/request-context.ts';
export type { TraceContext } from './http/request-context.ts';
export { paginate, listPage, sendPage, mapPage, PageQuery, PageOf } from './pagination/cursor.ts';
export type { Page, PaginateOptions } from './pagination/cursor.ts';
export type { DatabaseProvider, ServiceDatabase } from './db/database.ts';
export { PGliteProvider } from './db/pglite.ts';
export { PostgresProvider } from './db/postgres.ts';
export { loadMigrations, runMigrations } from './db/migrations.ts';
export { kitMigrations } from './db/kit-migrations.ts';
export type { Migration } from './db/migrations.ts';
export type { EventBus, SubscriptionSpec, Subscription, EventHandler } from './events/bus.ts';
export { makeEvent } from './events/envelope.ts';
export type { EventEnvelope } from './events/envelope.ts';
export { MemoryBus } from './events/memory-bus.ts';
export { NatsBus } from './events/nats-bus.ts';
export type { DeadLetter } from './events/consumer.ts';
export { loadSettings, SettingsError } from './config/settings.ts';
export { createServiceClient } from './client/service-client.ts';
export type { ServiceClient, CallOptions, CallResult } from './client/service-client.ts';
export { createLogger, REDACT_PATHS } from './observability/logger.ts';
export { registry as metricsRegistry } from './observability/metrics.ts';
export { kitEvents } from './observability/diagnostics.ts';
export { startService } from './runtime/start-service.ts';
export type { RunningService, StartServiceOptions } from './runtime/start-service.ts';
export { Type } from 'typebox';
export type { Static, TSchema } from 'typebox';
