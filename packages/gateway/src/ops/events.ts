/**
 * `GET /api/v1/ops/events`: every domain event on the bus, live, as a server-sent event stream
 * (`text/event-stream`) for admins. One broadcast subscription per gateway process takes every
 * type (`EVERY_EVENT_TYPE`): in memory on the in-process bus, an ephemeral JetStream consumer
 * delivering new messages only on NATS — never a durable consumer, so it takes nothing from
 * the services' own. Each event is `event: <type>`, `id: <event id>` and `data:` the envelope
 * without `traceparent`, its `data` with secret-named fields redacted (`redact.ts`).
 *
 * Bounded: `ops.max_event_streams` streams per gateway process, three per caller (429 past
 * either). A stream is closed when its credential is revoked or expires (the WebSocket sweep,
 * `websocket/connections.ts`, checks it every second) and when the gateway stops. A client that
 * reads too slowly is dropped rather than buffered for.
 */
import type { Logger } from 'pino';
import { EVERY_EVENT_TYPE, type EventBus, type EventEnvelope, type Subscription } from '@portico/kit';
import { mergeHeaders } from '../edge/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';
import type { LiveConnection } from '../websocket/connections.ts';
import { redactData } from './redact.ts';

const PER_CALLER = 3;
const HEARTBEAT_MS = 15_000;
/** Bytes a stream may have waiting in its socket before the client counts as too slow. */
const MAX_BACKLOG = 1 << 20;

interface Stream {
  write(chunk: string): void;
}

/** An event as the feed shows it. */
export function feedEvent(e: EventEnvelope): Record<string, unknown> {
  return {
    id: e.id,
    type: e.type,
    source: e.source,
    subject: e.subject ?? null,
    time: e.time,
    data: redactData(e.data),
  };
}

export class EventFeed {
  readonly #bus: EventBus;
  readonly #log: Logger;
  readonly #streams = new Set<Stream>();
  #subscription: Promise<Subscription> | null = null;
  #stopped = false;

  constructor(bus: EventBus, log: Logger) {
    this.#bus = bus;
    this.#log = log;
  }

  /** Subscribes once, on the first stream; a failed attempt is tried again by the next stream. */
  #subscribe(): Promise<Subscription> {
    this.#subscription ??= this.#bus.subscribe(
      { consumer: 'gateway-ops-events', broadcast: true, types: [EVERY_EVENT_TYPE] },
      async (event) => {
        if (this.#streams.size === 0) return;
        const chunk = `event: ${event.type.replace(/[\r\n]/g, '')}\nid: ${event.id.replace(/[\r\n]/g, '')}\ndata: ${JSON.stringify(feedEvent(event))}\n\n`;
        for (const s of this.#streams) s.write(chunk);
      },
    );
    this.#subscription.catch(() => (this.#subscription = null));
    return this.#subscription;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const sub = await this.#subscription?.catch(() => null);
    await sub?.stop().catch((err: unknown) => this.#log.warn({ err }, 'event feed stop failed'));
  }

  /** Answers the request with the stream (or 429 / 503). */
  async serve(ctx: RequestContext): Promise<void> {
    try {
      if (this.#stopped) throw new Error('the gateway is stopping');
      await this.#subscribe();
    } catch (err) {
      this.#log.warn({ err, request_id: ctx.requestId }, 'event feed not subscribed');
      ctx.headers.push(['retry-after', '5']);
      ctx.problem('service_unavailable', 'The event bus cannot be followed right now');
      return;
    }
    const max = ctx.rt.ops?.maxEventStreams ?? 0;
    const caller = `ops-events:${ctx.principal.scope ?? ctx.ip}`;
    if (this.#streams.size >= max || !ctx.gw.connections.reserve(caller, PER_CALLER)) {
      ctx.headers.push(['retry-after', '5']);
      ctx.problem(
        'rate_limited',
        `At most ${max} event streams are open at once on this gateway, ${PER_CALLER} per caller`,
      );
      return;
    }
    const res = ctx.res;
    const out: Record<string, string> = {};
    mergeHeaders(out, ctx.headers);
    out['content-type'] = 'text/event-stream; charset=utf-8';
    out['cache-control'] = 'no-store';
    out['x-accel-buffering'] = 'no';
    res.writeHead(200, out);
    res.write(': every domain event, as it is published\nretry: 3000\n\n');
    let open = true;
    const stream: Stream = {
      write: (chunk) => {
        if (!open) return;
        if (res.writableLength > MAX_BACKLOG) return close('too slow');
        res.write(chunk);
      },
    };
    const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const conn: LiveConnection = {
      principal: ctx.principal,
      close: (_code, reason) => close(reason),
    };
    const close = (reason: string | null) => {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      this.#streams.delete(stream);
      ctx.gw.connections.remove(caller, conn);
      if (reason !== null && !res.destroyed) res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      else res.end();
      ctx.done(200);
    };
    this.#streams.add(stream);
    ctx.gw.connections.settle(caller, conn);
    res.on('close', () => close(null));
    // The client may have gone while the subscription was being made: its 'close' came already.
    if (res.destroyed || ctx.req.socket.destroyed) close(null);
  }
}
