/**
 * The transactional outbox. `publishInTx` writes the event in the caller's transaction; the
 * relay sends committed rows to the bus in order and marks them only after the bus accepted
 * them (PubAck), so a crash between commit and relay loses nothing: a restart relays the row.
 */
import { sql, type QueryExecutorProvider } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from './bus.ts';
import type { EventEnvelope } from './envelope.ts';
import { kitEvents } from '../observability/diagnostics.ts';
import { asEventWork } from '../db/database.ts';
import { PollingWorker } from '../jobs/polling-worker.ts';
import type { RequestTracer } from '../observability/tracing.ts';

export async function publishInTx(trx: QueryExecutorProvider, event: EventEnvelope): Promise<void> {
  await sql`insert into kit_outbox (id, type, event) values (${event.id}, ${event.type}, ${JSON.stringify(event)}::jsonb)`.execute(
    trx,
  );
}

export interface OutboxRelayOptions {
  service: string;
  /** The service's database (the relay runs SQL on the kit's own table only). */
  db: QueryExecutorProvider;
  bus: EventBus;
  logger: Logger;
  /** Poll interval when idle (ms); a nudge after commit wakes the relay at once. */
  intervalMs?: number;
  batchSize?: number;
  /** With OpenTelemetry on: each event is sent in a PRODUCER span and carries its traceparent. */
  tracer?: RequestTracer | undefined;
}

export class OutboxRelay {
  readonly #o: Required<Omit<OutboxRelayOptions, 'logger' | 'tracer'>> &
    Pick<OutboxRelayOptions, 'logger' | 'tracer'>;
  readonly #worker: PollingWorker;

  constructor(opts: OutboxRelayOptions) {
    this.#o = { intervalMs: 500, batchSize: 100, ...opts };
    // A full batch may have left rows behind: the worker runs the next one at once.
    const tick = async () => (await asEventWork(() => this.#relayBatch())) === this.#o.batchSize;
    this.#worker = new PollingWorker(`outbox relay of ${opts.service}`, tick, {
      pollMs: this.#o.intervalMs,
      log: opts.logger,
    });
  }

  start(): void {
    this.#worker.start();
  }

  /** Wake the relay now (called after a transaction that published commits). */
  nudge(): void {
    this.#worker.nudge();
  }

  /** Relays every committed row now (tests): waits through bus failures until the outbox is empty. */
  async flush(): Promise<void> {
    for (;;) {
      try {
        return await this.#worker.drain();
      } catch (err) {
        this.#o.logger.warn({ err }, 'outbox flush failed; retrying');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async #relayBatch(): Promise<number> {
    // No row lock: holding a transaction across a bus publish would stall embedded mode (one
    // PGlite connection). Two replicas may send a row twice; JetStream's Nats-Msg-Id window and
    // each consumer's inbox drop the copy. Marking after the bus accepted it keeps at-least-once.
    const rows = (
      await sql<{ seq: number; event: EventEnvelope | string }>`
        select seq, event from kit_outbox where published_at is null
        order by seq limit ${this.#o.batchSize}`.execute(this.#o.db)
    ).rows;
    // Pipelined: every row is handed to the bus in order at once (the bus keeps per-consumer
    // order), then rows are marked up to the first failure. A row sent but not marked is sent
    // again later and dropped by the consumers' inboxes.
    const started = performance.now();
    const events = rows.map((row) =>
      typeof row.event === 'string' ? (JSON.parse(row.event) as EventEnvelope) : row.event,
    );
    const tracer = this.#o.tracer;
    const results = await Promise.allSettled(
      events.map((event) => (tracer ? this.#sendTraced(tracer, event) : this.#o.bus.publish(event))),
    );
    const firstFailure = results.findIndex((r) => r.status === 'rejected');
    const sent = firstFailure === -1 ? rows.length : firstFailure;
    if (sent > 0) {
      const seqs = rows.slice(0, sent).map((r) => r.seq);
      await sql`update kit_outbox set published_at = now() where seq = any(${seqs})`.execute(this.#o.db);
      const ms = (performance.now() - started) / sent;
      for (const event of events.slice(0, sent))
        kitEvents.relayed.publish({ service: this.#o.service, type: event.type, ms });
    }
    if (firstFailure !== -1) throw (results[firstFailure] as PromiseRejectedResult).reason;
    return rows.length;
  }

  /** Sends an event inside a PRODUCER span; consumers continue the producer's trace. */
  async #sendTraced(tracer: RequestTracer, event: EventEnvelope): Promise<void> {
    const span = tracer.producer(event);
    try {
      await this.#o.bus.publish({ ...event, traceparent: span.traceparent });
      span.end();
    } catch (err) {
      span.end(err);
      throw err;
    }
  }

  /** Rows not yet relayed (a metric). */
  async backlog(): Promise<number> {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from kit_outbox where published_at is null`.execute(this.#o.db);
    return r.rows[0]?.n ?? 0;
  }

  /** Stops polling after relaying what is pending (graceful shutdown flushes the relay). */
  async stop(): Promise<void> {
    if (!this.#worker.running) return;
    await this.#worker.stop();
    try {
      await this.#worker.drain();
    } catch (err) {
      this.#o.logger.warn({ err }, 'outbox flush at shutdown failed; rows stay for the next start');
    }
  }
}
