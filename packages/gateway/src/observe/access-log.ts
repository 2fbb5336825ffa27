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
  /** `{"level":30` as the logger's level formatter writes it, and its time fragment (`,"time":…`). */
  readonly #levelPrefix: string;
  readonly #time: () => string;
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
    const own = log as unknown as Record<symbol, unknown>;
    // (`msgPrefixSym` is missing from pino's types, not from pino.)
    const S = pino.symbols as typeof pino.symbols & { readonly msgPrefixSym: symbol };
    const dest = own[S.streamSym] as Destination | undefined;
    const chindings = own[S.chindingsSym];
    const levelPrefix = (own[S.lsCacheSym] as Record<number, unknown> | undefined)?.[
      log.levels.values.info ?? 30
    ];
    const time = own[S.timeSym];
    const formatters = own[S.formattersSym] as { log?: (o: object) => object } | undefined;
    const probe = {};
    // Only a pino logger whose line this writer can reproduce qualifies: a writable destination,
    // the message under `msg`, no mixin, nesting, prefix, hook or log formatter. Its own level
    // label, time format and bindings are kept (pino caches them as JSON fragments).
    const plain =
      dest !== undefined &&
      typeof dest.write === 'function' &&
      typeof chindings === 'string' &&
      typeof levelPrefix === 'string' &&
      typeof time === 'function' &&
      own[S.messageKeySym] === 'msg' &&
      !own[S.mixinSym] &&
      !own[S.nestedKeySym] &&
      !own[S.msgPrefixSym] &&
      !(own[S.hooksSym] as { logMethod?: unknown } | undefined)?.logMethod &&
      (formatters?.log === undefined || formatters.log(probe) === probe);
    this.#dest = plain ? dest : null;
    this.#bindings = plain ? chindings : '';
    this.#levelPrefix = plain ? levelPrefix : '';
    this.#time = plain ? (time as () => string) : () => '';
    // SonicBoom (what `pino()` and `pino.destination()` write to) is known by its own methods.
    const sonic = dest as { flushSync?: unknown; reopen?: unknown } | undefined;
    this.#batch = plain && typeof sonic?.flushSync === 'function' && typeof sonic.reopen === 'function';
  }

  write(l: AccessLine): void {
    // The level still applies (`PORTICO_LOG_LEVEL=warn` silences the access log).
    if (!this.#log.isLevelEnabled('info')) return;
    if (this.#dest === null) {
      this.#log.info(l, 'request');
      return;
    }
    const line =
      `${this.#levelPrefix}${this.#time()}${this.#bindings},"request_id":${str(l.request_id)}` +
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
