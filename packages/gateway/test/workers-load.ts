/**
 * Load for the worker-thread tests: many keep-alive connections sending requests, each
 * answer recording which worker (`x-portico-worker`) served it, and each failure recording
 * which worker its connection was on (unknown for a connection that never got an answer).
 */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';

export interface Outcome {
  status: number;
  worker: string | undefined;
}

export interface Failure {
  /** The worker that had served this connection before, if any. */
  worker: string | undefined;
  message: string;
}

export class WorkerLoad {
  readonly outcomes: Outcome[] = [];
  readonly failures: Failure[] = [];
  readonly #agent: Agent;
  readonly #workerOf = new WeakMap<Socket, string>();

  constructor(connections: number) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  /** One GET; `fresh` opens a new connection (a new pick of worker by the kernel). */
  get(url: string, fresh = false): Promise<Outcome | Failure> {
    return new Promise((resolve) => {
      let socket: Socket | undefined;
      const req = request(url, { agent: fresh ? false : this.#agent }, (res) => {
        const worker = res.headers['x-portico-worker'] as string | undefined;
        if (worker !== undefined && socket) this.#workerOf.set(socket, worker);
        res.resume();
        res.on('end', () => {
          const o = { status: res.statusCode!, worker };
          this.outcomes.push(o);
          resolve(o);
        });
        res.on('error', (err) => onError(err));
      });
      const onError = (err: Error) => {
        const f = { worker: socket ? this.#workerOf.get(socket) : undefined, message: err.message };
        this.failures.push(f);
        resolve(f);
      };
      req.on('socket', (s: Socket) => (socket = s));
      req.on('error', onError);
      req.end();
    });
  }

  /** `count` requests, `parallel` at a time. */
  async burst(url: string, count: number, parallel: number): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < count) {
        next++;
        await this.get(url);
      }
    };
    await Promise.all(Array.from({ length: parallel }, lane));
  }

  /** Requests on `parallel` lanes until `stop()` is called. */
  run(url: string, parallel: number): { stop(): Promise<void> } {
    let running = true;
    const lanes = Array.from({ length: parallel }, async () => {
      while (running) await this.get(url);
    });
    return {
      stop: async () => {
        running = false;
        await Promise.all(lanes);
      },
    };
  }

  workersSeen(): Set<string> {
    return new Set(this.outcomes.map((o) => o.worker).filter((w): w is string => w !== undefined));
  }

  close(): void {
    this.#agent.destroy();
  }
}
