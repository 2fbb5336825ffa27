/**
 * Sends one request to an upstream service and streams the answer back: instance choice,
 * timeouts (connect in the pool, first byte, total, idle between chunks), the breaker of the
 * chosen instance, retries with full-jitter backoff inside the service's retry budget, and
 * cancellation when the client goes away. Bodies are never buffered: each chunk is written to
 * the client as it arrives, pausing the upstream when the client is slow.
 */
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Instance, RetryPolicy, Timeouts, UpstreamService } from './service.ts';

export type FailureKind = 'connect' | 'reset' | 'timeout' | 'unavailable';

export interface Cancellable {
  cancel(): void;
}

/**
 * Total timeouts of every exchange in flight, checked by one coarse timer (every 25 ms)
 * instead of a timer per request: a deadline fires at most one tick late, and the request
 * path pays an array push and a swap-remove instead of a timer insert and cancel.
 *
 * Not a Set: a Set whose size swings between 0 and a few dozen is rehashed every few requests,
 * and V8 leaves each obsolete table pointing at its successor and at the entries it held. Once
 * one table is promoted, the chain of tables keeps every later exchange (with its request,
 * response and buffers) alive through two scavenges, so per-request garbage is promoted
 * wholesale and scavenges take 15–25 ms (docs/benchmarks.md, "Latency").
 */
const TICK_MS = 25;
const deadlines: Exchange[] = [];
let ticker: NodeJS.Timeout | null = null;

function watchDeadline(ex: Exchange): void {
  if (ex.slot >= 0) return;
  ex.slot = deadlines.length;
  deadlines.push(ex);
  if (ticker === null) {
    ticker = setInterval(() => {
      const now = performance.now();
      // Backwards: expiring an exchange moves the last one into its slot, already visited.
      for (let i = deadlines.length - 1; i >= 0; i--) {
        const e = deadlines[i];
        if (e !== undefined && e.deadline <= now) e.expire();
      }
      if (deadlines.length === 0 && ticker !== null) {
        clearInterval(ticker);
        ticker = null;
      }
    }, TICK_MS);
    ticker.unref();
  }
}

/** Stops watching `ex` (its deadline becomes Infinity). */
function unwatchDeadline(ex: Exchange): void {
  ex.deadline = Infinity;
  const i = ex.slot;
  if (i < 0) return;
  ex.slot = -1;
  const last = deadlines.pop()!;
  if (last !== ex) {
    deadlines[i] = last;
    last.slot = i;
  }
}

/** What the gateway's request context does with the upstream's answer. */
export interface ForwardSink {
  /** Upstream headers arrived; `upstreamMs` is send-to-headers time. */
  start(status: number, headers: IncomingHttpHeaders, upstreamMs: number): void;
  /** A body chunk; false when the client is not draining (the upstream is paused until `drain`). */
  data(chunk: Buffer): boolean;
  /** Resumes a paused upstream once the client drained. */
  onDrain(resume: () => void): void;
  end(): void;
  /** The exchange failed; `started` says whether headers were already sent to the client. */
  fail(kind: FailureKind, started: boolean, retryAfter: number, err: Error | null): void;
  /** Registers what to cancel when the client disconnects. */
  onAbort(target: Cancellable): void;
  retried(): void;
}

export interface ForwardSpec {
  method: string;
  path: string;
  headers: string[];
  body: Buffer | null;
  retryable: boolean;
  timeouts: Timeouts;
  retry: RetryPolicy | null;
}

class TotalTimeout extends Error {
  readonly code = 'PORTICO_TOTAL_TIMEOUT';
}
class ClientGone extends Error {
  readonly code = 'PORTICO_CLIENT_GONE';
}
class RetryStatus extends Error {
  readonly code = 'PORTICO_RETRY_STATUS';
}

function classify(err: Error): FailureKind {
  switch ((err as { code?: string }).code) {
    case 'ECONNREFUSED':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EAI_AGAIN':
      return 'connect';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'PORTICO_TOTAL_TIMEOUT':
      return 'timeout';
    default:
      return 'reset';
  }
}

/** One exchange (possibly several attempts) for one client request. */
class Exchange implements Dispatcher.DispatchHandler, Cancellable {
  readonly #svc: UpstreamService;
  readonly #spec: ForwardSpec;
  readonly #sink: ForwardSink;
  #tried: Instance[] | null = null;
  #inst: Instance | null = null;
  #controller: Dispatcher.DispatchController | null = null;
  #attempt = 0;
  #sentAt = 0;
  #started = false;
  #done = false;
  #clientGone = false;
  /** performance.now() past which the exchange is aborted (first-byte, then total timeout). */
  deadline = Infinity;
  /** Index in the deadline registry, -1 when not watched. */
  slot = -1;
  #totalDeadline = Infinity;
  #pendingAbort: Error | null = null;

  constructor(svc: UpstreamService, spec: ForwardSpec, sink: ForwardSink) {
    this.#svc = svc;
    this.#spec = spec;
    this.#sink = sink;
    sink.onAbort(this);
  }

  /** The client went away. */
  cancel(): void {
    this.#clientGone = true;
    if (!this.#done) this.#abort(new ClientGone('client disconnected'));
  }

  /** The total timeout passed. */
  expire(): void {
    unwatchDeadline(this);
    this.#abort(new TotalTimeout(this.#started ? 'total timeout' : 'first-byte timeout'));
  }

  #abort(reason: Error): void {
    if (this.#controller) this.#controller.abort(reason);
    else this.#pendingAbort = reason;
  }

  run(): void {
    const now = Date.now();
    if (this.#attempt === 0) this.#svc.budget.request(now);
    const inst = this.#svc.pick(now, this.#tried);
    if (inst === null) {
      this.#finishFail('unavailable', null);
      return;
    }
    this.#inst = inst;
    inst.inflight++;
    this.#controller = null;
    this.#sentAt = performance.now();
    const t = this.#spec.timeouts;
    this.#pendingAbort = null;
    // Until the first byte the deadline is the first-byte bound; at response start it becomes
    // the total. undici gets one value for both of its timers (the idle bound): its socket keeps
    // one timer and refreshes it, where two different values allocate two timers per request —
    // measured: thousands of live timers promoted to old space, 15–25 ms scavenges, p99 tails.
    this.#totalDeadline = this.#sentAt + t.totalMs;
    this.deadline = Math.min(this.#totalDeadline, this.#sentAt + t.firstByteMs);
    watchDeadline(this);
    inst.pool.dispatch(
      {
        method: this.#spec.method as Dispatcher.HttpMethod,
        path: this.#spec.path,
        headers: this.#spec.headers,
        body: this.#spec.body,
        headersTimeout: Math.max(t.idleMs, t.firstByteMs),
        bodyTimeout: Math.max(t.idleMs, t.firstByteMs),
      },
      this,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pendingAbort) controller.abort(this.#pendingAbort);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    const inst = this.#inst!;
    if (statusCode >= 502 && statusCode <= 504) inst.breaker.failure(Date.now());
    else inst.breaker.success();
    if (statusCode === 503 && this.#canRetry()) {
      controller.abort(new RetryStatus('retrying a 503'));
      return;
    }
    this.#started = true;
    this.deadline = this.#totalDeadline;
    const ct = headers['content-type'];
    if (typeof ct === 'string' && ct.startsWith('text/event-stream')) {
      // Event streams run as long as they like; only the idle timeout applies.
      unwatchDeadline(this);
    }
    this.#sink.start(statusCode, headers, performance.now() - this.#sentAt);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.#sink.data(chunk)) {
      controller.pause();
      this.#sink.onDrain(() => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.#settle();
    this.#done = true;
    this.#sink.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#settle();
    const code = (err as { code?: string }).code;
    if (code === 'PORTICO_CLIENT_GONE' || this.#clientGone) {
      this.#done = true;
      this.#sink.fail('reset', this.#started, 0, err);
      return;
    }
    if (code === 'PORTICO_RETRY_STATUS') {
      this.#retry();
      return;
    }
    const kind = classify(err);
    this.#inst!.breaker.failure(Date.now());
    if (!this.#started && kind !== 'timeout' && this.#canRetry()) {
      this.#retry();
      return;
    }
    this.#finishFail(kind, err);
  }

  #settle(): void {
    unwatchDeadline(this);
    if (this.#inst) this.#inst.inflight--;
  }

  #canRetry(): boolean {
    const r = this.#spec.retry;
    return (
      this.#spec.retryable &&
      r !== null &&
      this.#attempt < r.retries &&
      !this.#clientGone &&
      this.#svc.budget.tryRetry(Date.now())
    );
  }

  #retry(): void {
    (this.#tried ??= []).push(this.#inst!);
    this.#attempt++;
    this.#sink.retried();
    const r = this.#spec.retry!;
    const cap = Math.min(r.maxBackoffMs, r.backoffMs * 2 ** (this.#attempt - 1));
    setTimeout(() => {
      if (this.#clientGone) this.#finishFail('reset', null);
      else this.run();
    }, Math.random() * cap);
  }

  #finishFail(kind: FailureKind, err: Error | null): void {
    this.#done = true;
    this.#sink.fail(kind, this.#started, this.#svc.retryAfterSeconds(Date.now()), err);
  }
}

export function forward(svc: UpstreamService, spec: ForwardSpec, sink: ForwardSink): void {
  new Exchange(svc, spec, sink).run();
}
