/**
 * What one access-log line costs the gateway's thread, in CPU µs, side by side in one run (≤ 20 s):
 * the gateway's writer (packages/gateway/src/observe/access-log.ts: the line built by hand, lines
 * written in batches to the logger's destination) against `pino.info(fields, 'request')` per
 * request (what the gateway did before), both into pino's asynchronous destination on
 * /dev/null, and building the fields alone as the floor. Each is run `--rounds` times,
 * interleaved, and the median kept; no HTTP around it, so a loaded machine disturbs it least.
 *
 *   npx node bench/gateway/access-log.ts [--rounds 3] [--lines 300000]
 */
import { pino } from 'pino';
import { AccessLog, type AccessLine } from '../../packages/gateway/src/observe/access-log.ts';
import { log, machine, median, opt } from '../common.ts';

const f2 = (n: number) => n.toFixed(2);

const ROUNDS = Number(opt('rounds', '3'));
const LINES = Number(opt('lines', '300000'));

const fields = (i: number): AccessLine => ({
  request_id: `504b1ff7-9bfd-4890-87b1-42af78f7${1000 + (i % 9000)}`,
  trace_id: '05b2834d27473b777a1a92a45d1a1ba4',
  method: 'GET',
  route: '/api/v1/tasks/{id}',
  path: `/api/v1/tasks/${i % 500}`,
  status: 200,
  ms: 1.3,
  upstream_ms: 0.9,
  retries: 0,
  caller_id: 'user-0',
  caller_kind: 'jwt',
  bytes: 80,
  ip: '127.0.0.1',
});

const tick = () => new Promise((r) => setImmediate(r));
const settle = () => new Promise((r) => setTimeout(r, 300));

/** CPU µs per line of `write`, yielding to the event loop every 32 lines as a loaded gateway does. */
async function measure(write: (i: number) => void): Promise<number> {
  for (let i = 0; i < 20_000; i++) {
    write(i);
    if (i % 32 === 0) await tick();
  }
  await settle();
  const c0 = process.cpuUsage();
  for (let i = 0; i < LINES; i++) {
    write(i);
    if (i % 32 === 0) await tick();
  }
  await settle();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / LINES;
}

const dest = () => pino.destination({ dest: '/dev/null', sync: false });
const kinds: Record<string, () => (i: number) => void> = {
  'fields only (floor)': () => (i) => void fields(i),
  'pino.info per request': () => {
    const logger = pino({ name: 'gateway', level: 'info' }, dest());
    return (i) => logger.info(fields(i), 'request');
  },
  'AccessLog (batched)': () => {
    const writer = new AccessLog(pino({ name: 'gateway', level: 'info' }, dest()));
    return (i) => writer.write(fields(i));
  },
};

log(`access-log cost: ${LINES} lines per run, ${ROUNDS} rounds, ${machine()}`);
const runs = new Map<string, number[]>(Object.keys(kinds).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++)
  for (const [name, make] of Object.entries(kinds)) runs.get(name)!.push(await measure(make()));
const floor = median(runs.get('fields only (floor)')!);
// The table goes to stdout, ready for docs/benchmarks.md; progress went to stderr.
console.log('| Writer | CPU µs per line (median) | minus the floor |\n|---|---:|---:|');
for (const [name, xs] of runs) console.log(`| ${name} | ${f2(median(xs))} | ${f2(median(xs) - floor)} |`);
const ratio =
  (median(runs.get('AccessLog (batched)')!) - floor) / (median(runs.get('pino.info per request')!) - floor);
console.log(`\nAccessLog ÷ pino.info, above the floor: ${ratio.toFixed(2)}`);
