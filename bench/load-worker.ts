/**
 * The load generator of the orders benchmark, in its own thread (its own event loop, so it
 * does not queue behind the services' work on the main thread): fires prepared requests with
 * a fixed number in flight (closed loop) and reports each one's status and latency.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

export interface PreparedRequest {
  /** POST unless told (a GET sends no body). */
  method?: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}
export interface LoadJob {
  origin: string;
  concurrency: number;
  requests: PreparedRequest[];
}
export interface LoadResult {
  elapsedMs: number;
  statuses: Record<number, number>;
  latenciesMs: number[];
  bodies: string[];
}

const job = workerData as LoadJob;
const pool = new Pool(job.origin, { connections: job.concurrency, pipelining: 1 });
const statuses: Record<number, number> = {};
const latenciesMs: number[] = [];
const bodies: string[] = [];
let next = 0;

async function lane(): Promise<void> {
  for (;;) {
    const i = next++;
    if (i >= job.requests.length) return;
    const r = job.requests[i]!;
    const t = performance.now();
    const method = r.method ?? 'POST';
    const res = await pool.request({
      method,
      path: r.path,
      headers: r.headers,
      ...(method === 'POST' && { body: r.body }),
    });
    const text = await res.body.text();
    latenciesMs.push(performance.now() - t);
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    if (res.statusCode >= 300 && bodies.length < 3) bodies.push(text.slice(0, 300));
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: job.concurrency }, lane));
const result: LoadResult = { elapsedMs: performance.now() - started, statuses, latenciesMs, bodies };
await pool.close();
parentPort!.postMessage(result);
