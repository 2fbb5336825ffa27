/**
 * Idempotent consumers. Each event is handled in one transaction that also records its id in
 * the inbox; a redelivered event finds its id there and changes nothing. After
 * `maxDeliveries` failures the event is parked in `kit_dead_letters`, from which it can be
 * listed and replayed (`portico dead-letters`).
 */
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { uuidv7 } from 'uuidv7';
import type { EventBus, Subscription } from './bus.ts';
import type { EventEnvelope } from './envelope.ts';
import { asEventWork } from '../db/database.ts';
import { kitEvents } from '../observability/diagnostics.ts';
import { currentScope, runInScope } from '../runtime/scope.ts';
import type { AnyDeps, ConsumerDefinition } from '../service.ts';
import type { RequestTracer } from '../observability/tracing.ts';

export interface ConsumerHost {
  service: string;
  db: Kysely<any>;
  /** Handed to every handler (the same deps the service's routes get). */
  deps: AnyDeps;
  logger: Logger;
  /** Wakes the outbox relay after a handler's transaction committed. */
  nudge(): void;
  /** With OpenTelemetry on: each event is handled in a CONSUMER span. */
  tracer?: RequestTracer | undefined;
}

/** Runs the handler once for an event, deduplicated by the inbox. Returns false for a duplicate. */
export async function handleOnce(
  host: ConsumerHost,
  def: ConsumerDefinition,
  event: EventEnvelope,
  attempt: number,
): Promise<boolean> {
  const consumer = `${host.service}.${def.name}`;
  const log = host.logger.child({ consumer, event_id: event.id, event_type: event.type, attempt });
  const afterCommit: (() => void | Promise<void>)[] = [];
  const span = host.tracer?.consumer(event, consumer, attempt);
  // The handler runs in the event's scope: what it publishes carries the event's trace (the
  // consumer span's, when tracing is on).
  let outcome: { handled: boolean; published: boolean };
  try {
    outcome = await runInScope(span?.traceparent ?? event.traceparent, () =>
      asEventWork(async () => {
        const handled = await host.db.transaction().execute(async (trx) => {
          const fresh = await sql`insert into kit_inbox (consumer, event_id) values (${consumer}, ${event.id})
        on conflict do nothing returning event_id`.execute(trx);
          if (fresh.rows.length === 0) return false;
          await def.handle(event as never, {
            trx,
            deps: host.deps,
            log,
            attempt,
            afterCommit: (fn) => afterCommit.push(fn),
          });
          return true;
        });
        return { handled, published: currentScope()?.published === true };
      }),
    );
  } catch (err) {
    span?.end(err);
    throw err;
  }
  span?.end(undefined, { 'portico.event.duplicate': !outcome.handled });
  const { handled, published } = outcome;
  if (published) host.nudge();
  for (const fn of afterCommit) {
    try {
      await fn();
    } catch (err) {
      log.warn({ err }, 'afterCommit callback failed');
    }
  }
  return handled;
}

export async function startConsumer(
  host: ConsumerHost,
  bus: EventBus,
  def: ConsumerDefinition,
): Promise<Subscription> {
  const consumer = `${host.service}.${def.name}`;
  const spec = {
    consumer,
    types: [...def.types],
    ...(def.maxDeliveries !== undefined && { maxDeliveries: def.maxDeliveries }),
    ...(def.backoffMs && { backoffMs: def.backoffMs }),
  };
  return bus.subscribe(
    spec,
    async (event, attempt) => {
      const lag = () => Date.now() - Date.parse(event.time);
      try {
        const handled = await handleOnce(host, def, event, attempt);
        kitEvents.consumed.publish({
          service: host.service,
          consumer,
          type: event.type,
          outcome: handled ? 'handled' : 'duplicate',
          lagMs: lag(),
        });
      } catch (err) {
        host.logger.warn({ err, consumer, event_id: event.id, attempt }, 'event handler failed');
        kitEvents.consumed.publish({
          service: host.service,
          consumer,
          type: event.type,
          outcome: 'failed',
          lagMs: lag(),
        });
        throw err;
      }
    },
    async (event, error, attempts) => {
      await sql`insert into kit_dead_letters (id, consumer, event_id, event_type, event, error, attempts)
        values (${uuidv7()}, ${consumer}, ${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb,
                ${error instanceof Error ? error.message : String(error)}, ${attempts})`.execute(host.db);
      host.logger.error({ consumer, event_id: event.id, attempts }, 'event dead-lettered');
      kitEvents.consumed.publish({
        service: host.service,
        consumer,
        type: event.type,
        outcome: 'dead_lettered',
        lagMs: Date.now() - Date.parse(event.time),
      });
    },
  );
}

export interface DeadLetter {
  id: string;
  consumer: string;
  event_id: string;
  event_type: string;
  error: string;
  attempts: number;
  status: 'parked' | 'replayed';
  created_at: Date;
  replayed_at: Date | null;
  event: EventEnvelope;
}

export async function listDeadLetters(
  db: Kysely<any>,
  status: 'parked' | 'replayed' | 'all' = 'parked',
): Promise<DeadLetter[]> {
  const rows = await sql<DeadLetter>`select * from kit_dead_letters
    where ${status === 'all' ? sql`true` : sql`status = ${status}`} order by created_at`.execute(db);
  return rows.rows.map((r) => ({
    ...r,
    event: typeof r.event === 'string' ? (JSON.parse(r.event) as EventEnvelope) : r.event,
  }));
}

/**
 * Runs a parked event through its consumer again; marks it replayed on success. A letter
 * replayed already is left alone. When the handler fails again the letter stays parked with
 * the new error and one more attempt counted, and the error is thrown.
 */
export async function replayDeadLetter(
  host: ConsumerHost,
  consumers: readonly ConsumerDefinition[],
  id: string,
): Promise<'replayed' | 'not_found' | 'already_replayed'> {
  const dl = (await listDeadLetters(host.db, 'all')).find((d) => d.id === id);
  if (!dl) return 'not_found';
  if (dl.status !== 'parked') return 'already_replayed';
  const def = consumers.find((c) => `${host.service}.${c.name}` === dl.consumer);
  if (!def) throw new Error(`consumer ${dl.consumer} is not defined by ${host.service}`);
  try {
    await handleOnce(host, def, dl.event, dl.attempts + 1);
  } catch (err) {
    await sql`update kit_dead_letters set error = ${err instanceof Error ? err.message : String(err)},
      attempts = attempts + 1 where id = ${id} and status = 'parked'`.execute(host.db);
    throw err;
  }
  await sql`update kit_dead_letters set status = 'replayed', replayed_at = now() where id = ${id}`.execute(
    host.db,
  );
  return 'replayed';
}
