/**
 * An open-loop load generator (what wrk2 does; wrk2 is not in Debian): requests are scheduled
 * at a fixed rate and each latency is measured from its scheduled start, so a stall shows up
 * in the percentiles instead of slowing the generator down (no coordinated omission).
 *
 * node fixed-rate.ts --url http://127.0.0.1:8000/x --rate 4000 --seconds 8 [--header 'Name: v']
 * Prints one JSON line: {sent, ok, errors, p50, p90, p99, p999, max} (milliseconds).
 */
import { Pool, type Dispatcher } from 'undici';
import { arg } from './servers/common.ts';

const url = new URL(arg('url'));
const rate = Number(arg('rate'));
const seconds = Number(arg('seconds', '8'));
const header = arg('header', '');
const headers: Record<string, string> = {};
if (header)
  headers[header.slice(0, header.indexOf(':')).trim().toLowerCase()] = header
    .slice(header.indexOf(':') + 1)
    .trim();

const pool = new Pool(url.origin, { connections: 256, pipelining: 1 });
const warmup = Number(arg('warmup', '2'));
const total = Math.round(rate * (seconds + warmup));
const skip = Math.round(rate * warmup); // the first `warmup` seconds open connections and warm the JIT: not recorded
const latencies = new Float64Array(total);
let sent = 0;
let done = 0;
let errors = 0;
const start = performance.now() + 50;
const path = url.pathname + url.search;

/** One request on the raw dispatch API: no promise or stream per request, so the generator's own
 * garbage stays small and does not show up as latency. */
class Shot implements Dispatcher.DispatchHandler {
  readonly i: number;
  readonly scheduled: number;
  status = 0;
  constructor(i: number, scheduled: number) {
    this.i = i;
    this.scheduled = scheduled;
  }
  onRequestStart(): void {}
  onResponseStart(_c: Dispatcher.DispatchController, status: number): void {
    this.status = status;
  }
  onResponseData(): void {}
  onResponseEnd(): void {
    latencies[this.i] = performance.now() - this.scheduled;
    if (this.status !== 200) errors++;
    done++;
  }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (process.env.DEBUG_GEN) console.error(err);
    latencies[this.i] = performance.now() - this.scheduled;
    errors++;
    done++;
  }
}

function fire(i: number, scheduled: number): void {
  pool.dispatch({ method: 'GET', path, headers }, new Shot(i, scheduled));
}

await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    while (sent < total && start + (sent * 1000) / rate <= now) {
      fire(sent, start + (sent * 1000) / rate);
      sent++;
    }
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 1);
});
while (done < total) await new Promise((r) => setTimeout(r, 10));
const sorted = Array.from(latencies.subarray(skip)).sort((a, b) => a - b);
const q = (p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 1000) / 1000;
console.log(
  JSON.stringify({
    sent: total - skip,
    ok: total - skip - errors,
    errors,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    p999: q(0.999),
    max: q(1 - 1e-9),
  }),
);
await pool.close();
