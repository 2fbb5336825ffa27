/** The kit's dependencies as this service sees them (typed by its schema and settings). */
import { SQLSTATE, type ServiceApp, type ServiceDeps, type TxOptions } from '@portico/kit';
import type { FinanceEvents } from '@portico/contracts';
import type { Transaction } from 'kysely';
import type { FinanceSettings } from './settings.ts';
import type { FinanceDB } from './tables.ts';

/** `publish` accepts the events of `FinanceEvents` only. */
export type Deps = ServiceDeps<FinanceDB, FinanceSettings, FinanceEvents>;
export type Trx = Transaction<FinanceDB>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
/** Publishes one event inside the caller's transaction (a route's or a consumer's). */
export type Publish = <K extends keyof FinanceEvents>(
  type: K,
  data: FinanceEvents[K],
  subject: string,
) => Promise<unknown>;

/** A `Publish` for `trx`: the event goes to the outbox with the trace of the work in hand. */
export function publisherFor(deps: Deps, trx: Trx): Publish {
  return (type, data, subject) => deps.publish(trx, type, data, { subject });
}

/**
 * Money-moving transactions run again after a deadlock or serialization failure, and after a
 * unique violation too: two concurrent retries of one payment collide on its idempotency index,
 * and the re-run reads what the other committed.
 */
export const TX_RETRY: TxOptions = { retry: { also: [SQLSTATE.uniqueViolation] } };
