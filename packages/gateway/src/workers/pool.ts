/**
 * `workers: N` — the gateway on N worker threads of one process, each a full gateway
 * listening on the same port with SO_REUSEPORT (the kernel spreads connections over them).
 * The main thread serves no HTTP: it owns the shared rate-limit table, watches the config
 * file (and SIGHUP) and sends each valid config to every worker, replaces a worker that dies,
 * merges `/metrics` and, on close, drains every worker.
 *
 * @example
 *   const pool = await startGatewayWorkers({ workers: 2, config, configPath, passportSecret });
 *   console.log(pool.url);
 */
import { availableParallelism } from 'node:os';
import { createServer, type Server } from 'node:net';
import { MessageChannel, Worker } from 'node:worker_threads';
import { pino, type Logger } from 'pino';
import { validateGatewayConfig } from '../config/validate.ts';
import { ConfigError } from '../config/load.ts';
import { watchConfig } from '../reload.ts';
import { gatewayEnv } from '../config/env.ts';
import { logLevel } from '@portico/kit/runtime';
import type { GatewayConfig } from '../config/schema.ts';
import { allocateSharedWindows } from './shared-windows.ts';
import { MemoryStore } from '../store/memory.ts';
import { serveSharedState } from './state-channel.ts';
import { serveBus } from './bus-channel.ts';
import { serveUsageStore } from '../usage/port-store.ts';
import type { UsageStore } from '../usage/store.ts';
import type { EventBus } from '@portico/kit';
import { mergeMetrics } from './metrics-merge.ts';
import type { FromWorker, ToWorker, WorkerStartData } from './protocol.ts';

const WORKER_MAIN = new URL('./worker-main.ts', import.meta.url);
const METRICS_TIMEOUT_MS = 2000;
const RESTART_DELAY_MS = 1000;
/** Longer than a worker's own drain (5 s for busy connections). */
const CLOSE_GRACE_MS = 10_000;

export interface WorkerPoolOptions {
  workers: number;
  config: GatewayConfig;
  /** Watched (and SIGHUP honoured): a valid new file reaches every worker. */
  configPath?: string;
  passportSecret: string | Buffer;
  redisUrl?: string;
  /** Usage in this PostgreSQL database: each worker flushes its own rollup there (the store adds). */
  usageDatabaseUrl?: string;
  nats?: { url: string; stream?: string; prefix?: string };
  /**
   * A bus of this thread that workers use through a port (embedded mode's in-process bus);
   * ignored when `nats` is set, since each worker then connects to NATS itself.
   */
  bus?: EventBus;
  /** A usage store of this thread (embedded mode's PGlite) that workers use through a port; ignored with `usageDatabaseUrl`. */
  usageStore?: UsageStore;
  logger?: Logger;
  port?: number;
  host?: string;
  /** Slots of the shared rate-limit table (default 65 536). */
  sharedWindowSlots?: number;
}

/** `workers: auto` is one per CPU core the process may use. */
export function resolveWorkerCount(setting: number | 'auto' | undefined): number {
  if (setting === 'auto') return availableParallelism();
  return setting ?? 1;
}

interface Slot {
  id: number;
  worker: Worker;
  listening: boolean;
  restarts: number;
}

export class GatewayWorkerPool {
  readonly host: string;
  port = 0;
  readonly #opts: WorkerPoolOptions;
  readonly #log: Logger;
  readonly #shared: SharedArrayBuffer;
  /** Idempotency records and the denylist of every worker (`state-channel.ts`). */
  readonly #state = new MemoryStore();
  readonly #slots = new Map<number, Slot>();
  #config: GatewayConfig;
  #seq = 0;
  #replies = new Map<number, (m: FromWorker) => void>();
  #closing = false;
  #stopWatching: (() => void) | null = null;
  /** Workers started again after dying. */
  replacements = 0;

  constructor(opts: WorkerPoolOptions) {
    this.#opts = opts;
    this.#config = opts.config;
    this.#log = opts.logger ?? pino({ name: 'gateway', level: logLevel() });
    const env = gatewayEnv();
    this.#shared = allocateSharedWindows(opts.sharedWindowSlots);
    this.host = opts.host ?? opts.config.listen?.host ?? env.HOST ?? '127.0.0.1';
    this.port = opts.port ?? opts.config.listen?.port ?? env.PORT ?? 8000;
  }

  get url(): string {
    const host = this.host.includes(':')
      ? `[${this.host}]`
      : this.host === '0.0.0.0'
        ? '127.0.0.1'
        : this.host;
    return `http://${host}:${this.port}`;
  }

  /** Starts every worker and resolves once all of them listen. */
  async start(): Promise<void> {
    // Port 0: reserve a free port with SO_REUSEPORT so the workers can all bind it.
    let holder: Server | undefined;
    if (this.port === 0) {
      holder = createServer();
      await new Promise<void>((resolve, reject) => {
        holder!.once('error', reject);
        holder!.listen({ port: 0, host: this.host, reusePort: true }, resolve);
      });
      this.port = (holder.address() as { port: number }).port;
    }
    try {
      await Promise.all(Array.from({ length: this.#opts.workers }, (_, id) => this.#spawn(id)));
    } catch (err) {
      await this.close();
      throw err;
    } finally {
      holder?.close();
    }
    if (this.#opts.configPath)
      this.#stopWatching = watchConfig(this.#opts.configPath, this.#log, {
        apply: (c) => void this.reload(c),
        rejected: () => {},
      });
    this.#log.info({ url: this.url, workers: this.#opts.workers }, 'gateway listening');
  }

  /** The live workers (id and thread id), for tests and health. */
  workers(): { id: number; threadId: number; listening: boolean }[] {
    return [...this.#slots.values()].map((s) => ({
      id: s.id,
      threadId: s.worker.threadId,
      listening: s.listening,
    }));
  }

  /** Kills worker `id` abruptly (tests: a crashed worker); the pool replaces it. */
  async terminate(id: number): Promise<void> {
    await this.#slots.get(id)?.worker.terminate();
  }

  /**
   * Validates `config` once, then sends it to every worker; workers started later get it too.
   * An invalid config throws here and reaches no worker.
   */
  reload(config: GatewayConfig): Promise<void> {
    const checked = validateGatewayConfig(config);
    if (!checked.ok) throw new ConfigError(checked.errors);
    this.#config = config;
    return Promise.all(
      [...this.#slots.values()]
        .filter((s) => s.listening)
        .map((s) =>
          this.#ask(s, (seq) => ({ type: 'reload', seq, config })).then((m) => {
            if (m.type === 'reloaded' && m.error)
              this.#log.error({ worker: s.id, error: m.error }, 'worker refused the config');
          }),
        ),
    ).then(() => this.#log.info({ workers: this.#slots.size }, 'gateway config sent to every worker'));
  }

  /** Every worker's metrics, merged. */
  async metrics(): Promise<string> {
    const texts = await Promise.all(
      [...this.#slots.values()]
        .filter((s) => s.listening)
        .map((s) =>
          this.#ask(s, (seq) => ({ type: 'render-metrics', seq }), METRICS_TIMEOUT_MS).then(
            (m): [number, string] => [s.id, m.type === 'metrics' ? m.text : ''],
            (): [number, string] => [s.id, ''],
          ),
        ),
    );
    return mergeMetrics(texts);
  }

  /** Stops watching, lets every worker drain its connections and close, then resolves. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#stopWatching?.();
    await Promise.all(
      [...this.#slots.values()].map(
        (s) =>
          new Promise<void>((resolve) => {
            // A worker that cannot finish closing (e.g. still starting) is stopped after the grace.
            const force = setTimeout(() => void s.worker.terminate(), CLOSE_GRACE_MS);
            s.worker.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            s.worker.postMessage({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
    this.#slots.clear();
    await this.#state.close();
  }

  #ask(slot: Slot, message: (seq: number) => ToWorker, timeoutMs?: number): Promise<FromWorker> {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.#replies.delete(seq);
              reject(new Error(`worker ${slot.id} did not answer`));
            }, timeoutMs);
      const done = (m: FromWorker) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#replies.set(seq, done);
      slot.worker.once('exit', () => {
        if (this.#replies.delete(seq)) done({ type: 'closed' });
      });
      slot.worker.postMessage(message(seq));
    });
  }

  #spawn(id: number, restarts = 0): Promise<void> {
    const o = this.#opts;
    const channel = new MessageChannel();
    serveSharedState(channel.port1, this.#state);
    const busChannel = o.bus && !o.nats ? new MessageChannel() : undefined;
    if (busChannel) serveBus(busChannel.port1, o.bus!);
    const usageChannel = o.usageStore && !o.usageDatabaseUrl ? new MessageChannel() : undefined;
    if (usageChannel) serveUsageStore(usageChannel.port1, o.usageStore!);
    const data: WorkerStartData = {
      workerId: id,
      config: this.#config,
      passportSecret: o.passportSecret,
      sharedWindows: this.#shared,
      sharedState: channel.port2,
      port: this.port,
      host: this.host,
      redisUrl: o.redisUrl,
      usageDatabaseUrl: o.usageDatabaseUrl,
      nats: o.nats,
      bus: busChannel?.port2,
      usage: usageChannel?.port2,
      logLevel: this.#log.level,
    };
    const worker = new Worker(WORKER_MAIN, {
      workerData: data,
      transferList: [
        channel.port2,
        ...(busChannel ? [busChannel.port2] : []),
        ...(usageChannel ? [usageChannel.port2] : []),
      ],
    });
    const slot: Slot = { id, worker, listening: false, restarts };
    this.#slots.set(id, slot);
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'listening':
            slot.listening = true;
            resolve();
            break;
          case 'start-failed':
            reject(new Error(`gateway worker ${id} failed to start: ${m.message}`));
            break;
          case 'ask-workers-health':
            worker.postMessage({
              type: 'workers-health',
              seq: m.seq,
              workers: [...this.#slots.values()]
                .map((s) => ({
                  id: s.id,
                  state: s.listening ? ('serving' as const) : ('starting' as const),
                  restarts: s.restarts,
                }))
                .sort((a, b) => a.id - b.id),
            } satisfies ToWorker);
            break;
          case 'aggregate-metrics':
            void this.metrics().then((text) =>
              worker.postMessage({ type: 'aggregated-metrics', seq: m.seq, text } satisfies ToWorker),
            );
            break;
          case 'breaker':
            // One hop: every other worker adopts the change.
            for (const other of this.#slots.values())
              if (other !== slot && other.listening) other.worker.postMessage(m satisfies ToWorker);
            break;
          case 'reloaded':
          case 'metrics':
            this.#replies.get(m.seq)?.(m);
            this.#replies.delete(m.seq);
            break;
          case 'closed':
            break;
        }
      });
      worker.on('error', (err) => this.#log.error({ err, worker: id }, 'gateway worker crashed'));
      worker.on('exit', (code) => {
        channel.port1.close();
        busChannel?.port1.close();
        usageChannel?.port1.close();
        if (!slot.listening) reject(new Error(`gateway worker ${id} exited (${code}) before listening`));
        if (this.#closing || this.#slots.get(id) !== slot) return;
        this.#slots.delete(id);
        this.#log.warn({ worker: id, code }, 'gateway worker died; starting a new one');
        const wasListening = slot.listening;
        const again = () => {
          if (this.#closing) return;
          this.replacements++;
          this.#spawn(id, slot.restarts + 1).catch((err: unknown) => {
            this.#log.error({ err, worker: id }, 'replacement worker failed to start');
          });
        };
        if (wasListening) again();
        else setTimeout(again, RESTART_DELAY_MS).unref();
      });
    });
  }
}

/** Starts `workers` gateway worker threads on one port; resolves once every one listens. */
export async function startGatewayWorkers(opts: WorkerPoolOptions): Promise<GatewayWorkerPool> {
  const pool = new GatewayWorkerPool(opts);
  await pool.start();
  return pool;
}
