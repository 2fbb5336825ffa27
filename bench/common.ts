/**
 * What the benchmark suites share: command-line options, percentiles and number formats, JSON
 * calls against a stack, a bounded pool, the closed-loop load generator in a worker thread,
 * waiting for the event chain, and a line describing the machine.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadResult, PreparedRequest } from './load-worker.ts';
import type { Stack } from './stacks.ts';

export type { LoadResult, PreparedRequest };

const argv = process.argv.slice(2);
/** `--name value` from the command line, or `fallback`. */
export const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
/** Whether `--name` was given. */
export const flag = (name: string) => argv.includes(`--${name}`);

/** The p-th percentile (nearest rank). */
export const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const median = (xs: number[]) => pct(xs, 50);
export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
export const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : '–');
export const log = (...a: unknown[]) => console.error('·', ...a);

/** A JSON request against `stack`; a status ≥ 300 throws with the body. */
export async function call(
  stack: Pick<Stack, 'origin'>,
  method: string,
  p: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const res = await fetch(stack.origin + p, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const out = (await res.json()) as Record<string, any>;
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(out)}`);
  return out;
}

/** `{ 'if-match': <ETag> }` from a GET of `p`: what a write to a route requiring If-Match sends. */
export async function ifMatch(stack: Pick<Stack, 'origin'>, p: string, headers: Record<string, string>) {
  const res = await fetch(stack.origin + p, { headers });
  await res.arrayBuffer();
  const etag = res.headers.get('etag');
  if (res.status !== 200 || !etag) throw new Error(`GET ${p}: ${res.status} without an ETag`);
  return { ...headers, 'if-match': etag };
}

/** Runs `fn` over `items` with `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
}

/** Fires prepared POSTs at `origin` with `concurrency` in flight, from a worker thread. */
export function runLoad(
  origin: string,
  requests: PreparedRequest[],
  concurrency: number,
): Promise<LoadResult> {
  const job: LoadJob = { origin, concurrency, requests };
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData: job });
    w.once('message', (m: LoadResult) => resolve(m));
    w.once('error', reject);
  });
}

/** Polls `check` every 5 ms until it is true. */
export async function until(
  check: () => boolean,
  timeoutMs = 120_000,
  what = 'the event chain',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const rotate = <T>(xs: T[], k: number) => xs.map((_, i) => xs[(i + k) % xs.length]!);

/** `2 cores, <model>, Node v24…`. */
export const machine = () =>
  `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`;
