/**
 * The live stream of a user's new notifications, over Server-Sent Events (WHATWG HTML §9.2) or a
 * WebSocket (`delivery/socket.ts`): a `StreamChannel` says how an event, a heartbeat and the end
 * are written; the stream decides what to send. Each event's `id` is the notification's per-user
 * sequence number; a client reconnecting with `Last-Event-ID: n` gets every notification after n
 * from the database, then the live ones. Events are written as they happen (no buffering); a
 * heartbeat keeps proxies from timing the connection out.
 *
 * Wake-ups arrive over the bus from whichever replica stored the notification. A wake-up may
 * overtake the commit it announces, so a stream that is told about a sequence number it cannot
 * read yet looks again shortly (and at every heartbeat).
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { NotificationRow } from '../repository/notifications.ts';

const PAGE = 100;
const RETRY_DELAYS_MS = [20, 50, 100, 200, 400, 800, 1600];

/** How the stream's events reach the client. */
export interface StreamChannel {
  /** The connection is set up (headers, a greeting). */
  open(userId: string): void;
  /** One notification; resolves once the client's connection took it (backpressure). */
  event(seq: number, json: string): Promise<void>;
  heartbeat(): Promise<void>;
  end(): void;
}

/** Server-Sent Events on an HTTP response. */
export function sseChannel(res: ServerResponse): StreamChannel {
  const write = async (chunk: string): Promise<void> => {
    if (res.writableEnded || res.destroyed) return;
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]).catch(() => {});
  };
  return {
    open(userId) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 2000\n: stream of notifications for ${userId}\n\n`);
    },
    event: (seq, json) => write(`id: ${seq}\nevent: notification\ndata: ${json}\n\n`),
    heartbeat: () => write(': heartbeat\n\n'),
    end() {
      if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}

export interface StreamOptions {
  userId: string;
  channel: StreamChannel;
  lastSeq: number;
  heartbeatMs: number;
  fetchAfter: (userId: string, seq: number, limit: number) => Promise<NotificationRow[]>;
  format: (row: NotificationRow) => unknown;
  log: Logger;
}

export class NotificationStream {
  readonly userId: string;
  readonly #o: StreamOptions;
  #lastSeq: number;
  #wanted: number;
  #draining: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retries = 0;

  constructor(o: StreamOptions) {
    this.#o = o;
    this.userId = o.userId;
    this.#lastSeq = o.lastSeq;
    this.#wanted = o.lastSeq;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the channel and sends whatever was missed since `lastSeq`, then starts the heartbeat. */
  start(): void {
    this.#o.channel.open(this.userId);
    this.#heartbeat = setInterval(() => {
      if (!this.#closed) void this.#o.channel.heartbeat();
      this.wake(); // also a catch-up: anything whose wake-up was lost is sent now
    }, this.#o.heartbeatMs);
    this.#heartbeat.unref();
    this.wake();
  }

  /** Something new may be there (`seq`: the sequence number announced, when known). */
  wake(seq?: number): void {
    if (this.#closed) return;
    if (seq !== undefined && seq > this.#wanted) {
      this.#wanted = seq;
      this.#retries = 0;
    }
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#closed) return;
      if (this.#again) {
        this.#again = false;
        this.wake();
      } else if (this.#wanted > this.#lastSeq) {
        this.#scheduleRetry();
      }
    });
  }

  #scheduleRetry(): void {
    if (this.#retry || this.#retries >= RETRY_DELAYS_MS.length) return;
    const delay = RETRY_DELAYS_MS[this.#retries++]!;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.wake();
    }, delay);
    this.#retry.unref();
  }

  async #drain(): Promise<void> {
    try {
      for (;;) {
        if (this.#closed) return;
        const rows = await this.#o.fetchAfter(this.userId, this.#lastSeq, PAGE);
        for (const row of rows) {
          if (this.#closed) return;
          await this.#o.channel.event(row.seq, JSON.stringify(this.#o.format(row)));
          this.#lastSeq = Math.max(this.#lastSeq, row.seq);
        }
        if (rows.length < PAGE) return;
      }
    } catch (err) {
      if (this.#closed) return;
      this.#o.log.warn({ err, user_id: this.userId }, 'notification stream failed; closing it');
      this.close();
    }
  }

  /** Ends the connection (shutdown, client gone, or failure). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    this.#o.channel.end();
  }
}

/** The live streams of this replica, by user. */
export class StreamHub {
  readonly #byUser = new Map<string, Set<NotificationStream>>();

  add(stream: NotificationStream): void {
    let set = this.#byUser.get(stream.userId);
    if (!set) this.#byUser.set(stream.userId, (set = new Set()));
    set.add(stream);
  }

  remove(stream: NotificationStream): void {
    const set = this.#byUser.get(stream.userId);
    if (!set) return;
    set.delete(stream);
    if (set.size === 0) this.#byUser.delete(stream.userId);
  }

  wake(userId: string, seq: number): void {
    for (const s of this.#byUser.get(userId) ?? []) s.wake(seq);
  }

  get size(): number {
    let n = 0;
    for (const set of this.#byUser.values()) n += set.size;
    return n;
  }

  closeAll(): void {
    for (const set of this.#byUser.values()) for (const s of set) s.close();
    this.#byUser.clear();
  }
}
