/**
 * The gateway benchmark's report: the table of rows as ratios to the upstream measured beside
 * them, the targets, the fixed-rate latency, the `--before` comparison, and the generated part of
 * docs/benchmarks.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONNECTIONS, LOAD_CPU, PROXY_CPU } from './processes.ts';

export interface Result {
  id: string;
  name: string;
  rps: number;
  requests: number;
  /** CPU microseconds the proxy spent per request (all its processes and threads). */
  cpuUs: number;
  p50: number;
  p99: number;
  errors: number;
  direct: number;
  ratio: number;
  skipped?: string;
}

export interface RoundFigure {
  id: string;
  round: number;
  rps: number;
  cpuUs: number;
}

export type FixedRate = {
  rate: number;
  pairs: { direct: Record<string, number>; portico: Record<string, number> }[];
  addedP50: number;
  addedP99: number;
  errors: number;
};

export interface ReportInput {
  results: Result[];
  perRound: RoundFigure[];
  fixed: FixedRate | null;
  /** The same with 2 workers (`portico-jwt-w2`), when that row ran. */
  fixedWorkers?: FixedRate | null;
  upstreamKind: string;
  seconds: number;
  rounds: number;
  /** A `--before` run: print the before/after table. */
  before: boolean;
  /** Write the table into docs/benchmarks.md (a full run). */
  write: boolean;
}

/** Prints the report and, for a full run, writes it into docs/benchmarks.md. */
export async function report(o: ReportInput): Promise<void> {
  const by = (id: string) => o.results.find((r) => r.id === id && !Number.isNaN(r.rps));
  const cmp = (a: string, b: string) => {
    const x = by(a);
    const y = by(b);
    return x && y ? x.rps / y.rps : NaN;
  };
  const cmpCpu = (a: string, b: string) => {
    const x = by(a);
    const y = by(b);
    return x && y ? y.cpuUs / x.cpuUs : NaN;
  };
  const lines: string[] = [];
  lines.push(
    `Upstream: ${o.upstreamKind}. ${o.seconds} s per row, best of ${o.rounds} rounds, wrk -t1 -c${CONNECTIONS} on CPU ${LOAD_CPU}, proxy alone on CPU ${PROXY_CPU}.`,
  );
  lines.push('');
  lines.push(
    '| Row | req/s | × direct (run beside it) | CPU µs/req | req/s per CPU-second | p50 ms | p99 ms |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of o.results)
    lines.push(
      r.skipped
        ? `| ${r.name} | skipped: ${r.skipped} | | | | | |`
        : `| ${r.name} | ${Math.round(r.rps)} | ${r.ratio.toFixed(3)} | ${r.cpuUs.toFixed(1)} | ${Math.round(1e6 / r.cpuUs)} | ${r.p50} | ${r.p99} |`,
    );
  lines.push('');
  lines.push(
    'Targets: ratio of best-of-rounds req/s [ratio of CPU per request, which other processes on the machine disturb less]',
  );
  const fmt = (v: number) => (Number.isNaN(v) ? 'n/a' : v.toFixed(2));
  const target = (label: string, a: string, b: string, goal: number) => {
    const v = cmp(a, b);
    const c = cmpCpu(a, b);
    const verdict = Number.isNaN(v)
      ? ''
      : v >= goal
        ? 'met'
        : `missed by ${((1 - v / goal) * 100).toFixed(0)} %`;
    lines.push(`- ${label}: ${fmt(v)} [${fmt(c)}] (target ≥ ${goal}) ${verdict}`);
  };
  target('JWT + rate limit + passport vs minimal undici proxy', 'portico-jwt', 'undici', 0.8);
  target('JWT + rate limit + passport vs @fastify/http-proxy plain', 'portico-jwt', 'fastify', 1.0);
  target('JWT + rate limit + passport vs fast-gateway plain', 'portico-jwt', 'fast-gateway', 1.0);
  target(
    'fresh ES256 token per request vs @fastify/http-proxy + jose',
    'portico-jwt-fresh',
    'fastify-jwt-fresh',
    1.3,
  );
  target('API key + rate limit (key cached) vs no policies', 'portico-apikey', 'portico-plain', 0.9);
  target('JWT + rate limit vs no policies', 'portico-jwt', 'portico-plain', 0.8);
  // Issue 18: the API-product features on (plan, usage recording, access log) vs the same row without.
  target('JWT row with plan + usage + access log vs without', 'portico-jwt-product', 'portico-jwt', 0.9);
  target(
    'JWT row in Redis with plan + usage + access log vs without',
    'portico-jwt-redis-product',
    'portico-jwt-redis',
    0.9,
  );
  // Issue 21: workers and the Redis path.
  target('2 workers vs 1 worker (JWT + rate limit + passport)', 'portico-jwt-w2', 'portico-jwt-w1', 1.8);
  target('nginx: 2 workers vs 1 worker (reference)', 'nginx-w2', 'nginx', 1.8);
  const redisCpu = cmpCpu('portico-jwt', 'portico-jwt-redis'); // Redis ÷ memory
  if (!Number.isNaN(redisCpu))
    lines.push(
      `- CPU per request, limits in Redis vs in memory: ${fmt(redisCpu)} (target ≤ 1.15) ${redisCpu <= 1.15 ? 'met' : 'missed'}`,
    );
  if (o.fixed)
    lines.push(
      `- added p99 at ${o.fixed.rate} req/s (half of Portico JWT+RL saturation), open loop, median of ${o.fixed.pairs.length} interleaved pairs: ${o.fixed.addedP99.toFixed(3)} ms (target ≤ 2 ms) ${o.fixed.addedP99 <= 2 ? 'met' : 'missed'}; p50 added ${o.fixed.addedP50.toFixed(3)} ms; errors ${o.fixed.errors}`,
    );
  if (o.fixed)
    lines.push(
      `  (p99 direct → through Portico, per pair: ${o.fixed.pairs.map((x) => `${x.direct.p99} → ${x.portico.p99}`).join('; ')} ms)`,
    );
  if (o.fixedWorkers)
    lines.push(
      `- with 2 workers: added p99 at ${o.fixedWorkers.rate} req/s (half of the 2-worker saturation), median of ${o.fixedWorkers.pairs.length} pairs: ${o.fixedWorkers.addedP99.toFixed(3)} ms; p50 added ${o.fixedWorkers.addedP50.toFixed(3)} ms; errors ${o.fixedWorkers.errors}`,
      `  (p99 direct → through Portico, per pair: ${o.fixedWorkers.pairs.map((x) => `${x.direct.p99} → ${x.portico.p99}`).join('; ')} ms)`,
    );
  if (o.before) lines.push('', ...beforeAfter(o.results, o.perRound, o.rounds));
  console.log(lines.join('\n'));
  if (o.write) await writeDocs(lines);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** `--before`: each Portico row beside its twin, as ratios after ÷ before (per round and best). */
function beforeAfter(results: Result[], perRound: RoundFigure[], rounds: number): string[] {
  const out = [
    'Before/after (this tree ÷ the --before tree, each twin measured right after its row in every round; req/s ratio > 1 and CPU ratio < 1 mean faster):',
    '',
    '| Row | req/s before → after (best) | req/s ratio | per-round req/s ratios | CPU µs/req before → after (lowest) | CPU ratio | per-round CPU ratios (median) |',
    '|---|---:|---:|---|---:|---:|---|',
  ];
  for (const after of results) {
    const before = results.find((r) => r.id === `${after.id}-before`);
    if (!before || Number.isNaN(after.rps) || Number.isNaN(before.rps)) continue;
    const rps: number[] = [];
    const cpu: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const a = perRound.find((x) => x.id === after.id && x.round === round);
      const b = perRound.find((x) => x.id === before.id && x.round === round);
      if (a && b) {
        rps.push(a.rps / b.rps);
        cpu.push(a.cpuUs / b.cpuUs);
      }
    }
    out.push(
      `| ${after.name} | ${Math.round(before.rps)} → ${Math.round(after.rps)} | ${(after.rps / before.rps).toFixed(3)} | ${rps.map((x) => x.toFixed(2)).join(', ')} | ${before.cpuUs.toFixed(1)} → ${after.cpuUs.toFixed(1)} | ${(after.cpuUs / before.cpuUs).toFixed(3)} | ${cpu.map((x) => x.toFixed(2)).join(', ')} (${median(cpu).toFixed(2)}) |`,
    );
  }
  return out;
}

/** Replaces the generated part of the "## Gateway" section of docs/benchmarks.md. */
async function writeDocs(body: string[]): Promise<void> {
  const file = join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md');
  const begin = '<!-- gateway-results:begin (written by bench/gateway/run.ts) -->';
  const end = '<!-- gateway-results:end -->';
  const cpu =
    /model name\s*:\s*(.+)/.exec(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''))?.[1] ??
    'unknown CPU';
  const generated = [
    begin,
    `Measured by \`npx node bench/gateway/run.ts\` on ${new Date().toISOString().slice(0, 10)}, ${cpu}, Node ${process.version}, 2 cores shared with other work.`,
    '',
    ...body,
    end,
  ].join('\n');
  let text = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  if (text.includes(begin) && text.includes(end))
    text = text.slice(0, text.indexOf(begin)) + generated + text.slice(text.indexOf(end) + end.length);
  else text = text.replace(/\n*$/, '\n\n') + `## Gateway\n\n${generated}\n`;
  await writeFile(file, text);
  console.error(`wrote the gateway section of ${file}`);
}
