/**
 * @portico/kit — what a service author uses. Hosts (the CLI, tests' harnesses, benchmarks)
 * start services through `@portico/kit/runtime`; tests use `@portico/kit/testing`. Nothing
 * outside the kit imports its files directly (an ESLint rule enforces it).
 */
export { defineService, defineConsumer } from './service.ts';
export type {
  ServiceApp,
  ServiceDefinition,
  ServiceDeps,
  AnyDeps,
  ConsumerDefinition,
  ConsumerContext,
  PublishOptions,
  TxOptions,
} from './service.ts';
export { AppError, isAppError, problem, PROBLEM_CONTENT_TYPE } from './errors/problem.ts';
export type { FieldError, ProblemBody } from './errors/problem.ts';
export {
  platformProblems,
  problemRegistry,
  registerProblems,
  registeredProblems,
  problemDefinition,
  problemType,
  setPublicUrl,
  PROBLEM_PATH,
} from './errors/registry.ts';
export { problemJsonSchema } from './errors/problem-schema.ts';
export { fieldCodes } from './errors/field-codes.ts';
export type { FieldCode } from './errors/field-codes.ts';
export type { ProblemCode, ProblemCodes, ProblemDefinition } from './errors/registry.ts';
export { can, scopeOf, hasRole, anonymousCaller } from './auth/caller.ts';
export { requireUserId, listOwner, ownedOnly } from './auth/ownership.ts';
export {
  SQLSTATE,
  sqlState,
  uniqueViolation,
  isUniqueViolation,
  isTransient,
  alreadyExists,
  translateUnique,
  retryTransient,
} from './db/sql-errors.ts';
export type { RetryOptions } from './db/sql-errors.ts';
export { jsonb } from './db/jsonb.ts';
export type { Jsonb, JsonbText } from './db/jsonb.ts';
export { PollingWorker } from './jobs/polling-worker.ts';
export type { PollingWorkerOptions } from './jobs/polling-worker.ts';
export { claimDueJobs } from './jobs/leased-claim.ts';
export type { ClaimOptions } from './jobs/leased-claim.ts';
export type { Caller, AuthMethod } from './auth/caller.ts';
export {
  registerRoleGrants,
  knownRoles,
  permissionsForRoles,
  permissionScope,
  grantCovers,
} from './auth/permissions.ts';
export { sendProblem, transformDocument } from './http/app.ts';
export { addExamples, exampleOf, problemExample } from './openapi/examples.ts';
export { declareKitHeaders, REQUEST_ID_HEADER } from './openapi/headers.ts';
export { acceptRequestId, continueTrace } from './http/request-context.ts';
export type { TraceContext } from './http/request-context.ts';
export { currentTraceparent } from './runtime/scope.ts';
export { paginate, listPage, sendPage, mapPage, PageQuery, PageOf } from './pagination/cursor.ts';
export type { Page, PaginateOptions } from './pagination/cursor.ts';
export type { Migration } from './db/migrations.ts';
export type { EventBus, SubscriptionSpec, Subscription, EventHandler } from './events/bus.ts';
export { EVERY_EVENT_TYPE } from './events/bus.ts';
export { makeEvent } from './events/envelope.ts';
export type { EventEnvelope } from './events/envelope.ts';
export type {
  AccessDeniedData,
  PlatformEvents,
  EventTypes,
  EventType,
  EventOf,
  EventMap,
  TypesOf,
} from './events/types.ts';
export type { ServiceClient, CallOptions, CallResult } from './client/service-client.ts';
export {
  isValidIdempotencyKey,
  invalidIdempotencyKeyError,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_KEY_PATTERN,
} from './idempotency/key.ts';
export {
  API_VERSIONS,
  LATEST_API_VERSION,
  VERSION_HEADER,
  isApiVersion,
  effectiveVersion,
  unknownVersionError,
} from './versions/calendar.ts';
export type { ApiVersion } from './versions/calendar.ts';
export { routeChange, VersionChain, checkChanges } from './versions/chain.ts';
export type { RouteChange, RouteKey, VersionChange } from './versions/chain.ts';
export { Type } from 'typebox';
export type { Static, TSchema } from 'typebox';
