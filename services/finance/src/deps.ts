/** The kit's dependencies as this service sees them (typed by its schema and settings). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { Transaction } from 'kysely';
import type { FinanceSettings } from './settings.ts';
import type { FinanceDB } from './tables.ts';

export type Deps = ServiceDeps<FinanceDB, FinanceSettings>;
export type Trx = Transaction<FinanceDB>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
/** Publishes one event inside the caller's transaction (deps.publish or a consumer's ctx.publish). */
export type Publish = (type: string, data: unknown, subject: string) => Promise<unknown>;

/** A `Publish` for a route's transaction: the event goes to the outbox with the request's trace. */
export function publisherFor(deps: Deps, trx: Trx, traceparent?: string): Publish {
  return (type, data, subject) =>
    deps.publish(trx, type, data, { subject, ...(traceparent !== undefined && { traceparent }) });
}
