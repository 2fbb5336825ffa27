/**
 * `npm run bench [-- NAME]`: runs the benchmarks one after another (or the one named), each of
 * which prints its table and updates its section of docs/benchmarks.md. Not run in CI; send
 * load only to 127.0.0.1 and bound it in time (each suite does).
 *   gateway   bench/gateway/run.ts   proxies side by side (needs wrk, nginx, haproxy from Debian)
 *   identity  bench/identity/run.ts  logins, refreshes, token verifications
 *   orders    bench/orders/run.ts    orders/s and commit → shipment latency, both buses
 *   education bench/education/run.ts enrolments/s, payments/s, event-chain latency, `npm start` time and memory
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const suites = ['gateway', 'identity', 'orders', 'education'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = wanted.length ? suites.filter((s) => wanted.includes(s)) : suites;
let failed = 0;
for (const suite of chosen) {
  console.log(`\n### ${suite}`);
  const res = spawnSync(process.execPath, [path.join(import.meta.dirname, suite, 'run.ts')], {
    stdio: 'inherit',
  });
  if (res.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
