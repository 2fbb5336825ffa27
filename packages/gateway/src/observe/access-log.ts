/**
 * The access log's writer (docs/observability.md, "Access log"): one JSON line per request, the
 * same line pino would write for `log.info(fields, 'request')`, built by hand and written to the
 * logger's own destination once per event-loop tick for all the lines of that tick.
 *
 * Why not `log.info` per request: at ~10k requests/s on one core, pino's generic serialisation
 * and one destination write per line (an fs.write on libuv's thread pool when asynchronous) were
 * the largest part of the access log's cost. The fields here are fixed and mostly known to be
 * safe (numbers, hex ids, method names), so only the strings a client chooses are escaped;
 * and, into pino's own destination (stdout or a file), lines go out together: when 16 KiB are
 * waiting, or 100 ms after the first of them (and on close). Measured in docs/benchmarks.md ("Access log").
 *
 * A logger without a reachable pino destination (not pino, or a transport) gets `log.info`.
 */
import { pino, type Logger } from 'pino';

export interface AccessLine {
  request_id: string;
  trace_id: string;
  method: string;
  route: string | null;
  path: string;
  status: number;
  ms: number;
  upstream_ms: number | null;
  retries: number;
  caller_id: string | null;
  caller_kind: string;
  bytes: number;
  ip: string;
}

interface Destination {
  write(chunk: string): unknown;
}

/** Lines wait at most this long, and are written at once when this many bytes wait. */
const FLUSH_MS = 100;
const FLUSH_BYTES = 16_384;

const q = JSON.stringify;
/** Methods are tokens (RFC 9110) and the kinds are ours; ids may still be client-chosen. */
const SAFE = /^[\w.:/{}@+-]*$/;
const str = (s: string): string => (SAFE.test(s) ? `"${s}"` : q(s));
const opt = (s: string | null): string => (s === null ? 'null' : str(s));

export class AccessLog {
  readonly #log: Logger;
  readonly #dest: Destination | null;
  /** `,"pid":…,"hostname":…,"name":…` and any child bindings, as pino writes them. */
  readonly #bindings: string;
  readonly #level: number;
  /**
   * Lines are batched only into pino's own file destination (SonicBoom, which takes any number
   * of lines per write); a stream the embedding program passed gets one line per write, as pino
   * gives it.
   */
  readonly #batch: boolean;
  #pending = '';
  #timer: NodeJS.Timeout | null = null;

  constructor(log: Logger) {
    this.#log = log;
    const dest = (log as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
      Destination | undefined;
    const chindings = (log as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
    // Only a plain pino logger with a writable destination and default formatting qualifies.
    this.#dest =
      dest !== undefined && typeof dest.write === 'function' && typeof chindings === 'string' ? dest : null;
    this.#bindings = typeof chindings === 'string' ? chindings : '';
    // SonicBoom (what `pino()` and `pino.destination()` write to) is known by its own methods.
    const sonic = dest as { flushSync?: unknown; reopen?: unknown } | undefined;
    this.#batch =
      this.#dest !== null && typeof sonic?.flushSync === 'function' && typeof sonic.reopen === 'function';
    this.#level = log.levels.values.info ?? 30;
  }

  write(l: AccessLine): void {
    // The level still applies (`PORTICO_LOG_LEVEL=warn` silences the access log).
    if (!this.#log.isLevelEnabled('info')) return;
    if (this.#dest === null) {
      this.#log.info(l, 'request');
      return;
    }
    const line =
      `{"level":${this.#level},"time":${Date.now()}${this.#bindings},"request_id":${str(l.request_id)}` +
      `,"trace_id":${str(l.trace_id)},"method":${str(l.method)},"route":${opt(l.route)}` +
      `,"path":${q(l.path)},"status":${l.status},"ms":${l.ms},"upstream_ms":${l.upstream_ms}` +
      `,"retries":${l.retries},"caller_id":${opt(l.caller_id)},"caller_kind":${str(l.caller_kind)}` +
      `,"bytes":${l.bytes},"ip":${str(l.ip)},"msg":"request"}\n`;
    if (!this.#batch) {
      this.#dest.write(line);
      return;
    }
    this.#pending += line;
    if (this.#pending.length >= FLUSH_BYTES) this.flush();
    else if (this.#timer === null) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.#timer.unref();
    }
  }

  /** Writes the lines not yet written (the gateway's `close` calls it too). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#pending === '' || this.#dest === null) return;
    const chunk = this.#pending;
    this.#pending = '';
    this.#dest.write(chunk);
  }
}
