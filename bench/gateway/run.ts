/**
 * The gateway benchmark, one command: `node bench/gateway/run.ts` (through npm/npx so Node 24
 * runs it). Side by side in one run: the upstream direct, Portico (no policies; JWT ES256 +
 * rate limit + passport with a reused token and with a fresh token per request; API key + rate
 * limit + passport; optionally limits in Redis), and peers: a minimal undici proxy (the Node
 * floor), @fastify/http-proxy (plain and with a jose ES256 check), fast-gateway, nginx and
 * haproxy. Then an open-loop fixed-rate run at half of Portico's saturation for added p99.
 *
 * Pinning (2 cores): the proxy under test alone on CPU 0; wrk, the upstream and identity on
 * CPU 1. Each row is preceded by a direct-upstream run, and reported as a ratio to it, because
 * the machine is shared and noisy. Load goes to 127.0.0.1 only and every run is bounded.
 *
 * Needs: wrk, taskset (util-linux); nginx and haproxy are optional peers (and nginx, when
 * present, serves as the upstream). On Debian: apt-get install -y wrk nginx-light haproxy.
 *
 * Options: --seconds N (per row, default 8), --rounds N (default 2: every row is measured N times,
 * interleaved, and the best run kept, which filters out bursts of load from other processes),
 * --only a,b (row ids), --profile (CPU profile of the Portico JWT row, top functions printed),
 * --json FILE (raw results), --no-write, --no-fixed-rate (skip the added-latency pairs). A full run (no --only) writes its table between the
 * result markers of "## Gateway" in docs/benchmarks.md; notes outside the markers are kept.
 * --before DIR (a checkout of an earlier commit with its own node_modules, e.g. a `git worktree`):
 * every Portico row gets a twin running DIR's gateway, measured right after it in each round,
 * and a before/after table of ratios is printed (docs are then not written).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONNECTIONS,
  LOAD_CPU,
  PROXY_CPU,
  children,
  cpuMs,
  freePort,
  has,
  start,
  stop,
  wrk,
} from './processes.ts';
import { benchRows } from './rows.ts';
import { median, report, type FixedRate, type Result, type RoundFigure } from './report.ts';

const HERE = import.meta.dirname;
const SERVERS = join(HERE, 'servers');
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const SECONDS = Number(opt('seconds', '8'));
const ONLY = opt('only', '').split(',').filter(Boolean);
/** `--profile [row id]`: CPU profile of one row (default portico-jwt), top functions printed. */
const PROFILE = argv.includes('--profile')
  ? (argv[argv.indexOf('--profile') + 1] ?? '').startsWith('--') || !argv[argv.indexOf('--profile') + 1]
    ? 'portico-jwt'
    : argv[argv.indexOf('--profile') + 1]!
  : '';
const ROUNDS = Number(opt('rounds', '2'));
const BEFORE = opt('before', '');

if (!has('wrk') || !has('taskset')) {
  console.error(
    'wrk and taskset are required: apt-get install -y wrk util-linux (see bench/gateway/README.md)',
  );
  process.exit(2);
}
const HAVE_NGINX = has('nginx');
const HAVE_HAPROXY = has('haproxy');

// ---- the setup ---------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'portico-bench-'));
const node = process.execPath;
const upstreamBody = '{"id":"0192d6c4-7c1e-7000-8000-000000000000","status":"ok","items":[1,2,3]}';

let upstream: { port: number; proc: ChildProcess };
let upstreamKind: string;
if (HAVE_NGINX) {
  const port = await freePort();
  await writeFile(
    join(dir, 'upstream.conf'),
    `user root; worker_processes 1; daemon off; pid ${dir}/upstream.pid; error_log ${dir}/upstream-error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000; keepalive_timeout 65;
  client_body_temp_path ${dir}/t1; proxy_temp_path ${dir}/t2; fastcgi_temp_path ${dir}/t3; uwsgi_temp_path ${dir}/t4; scgi_temp_path ${dir}/t5;
  server { listen 127.0.0.1:${port}; location / { default_type application/json; return 200 '${upstreamBody}'; } } }
`,
  );
  upstream = await start(LOAD_CPU, 'nginx', ['-p', dir, '-c', join(dir, 'upstream.conf')], { port });
  upstreamKind = 'nginx (static 200, 1 worker)';
} else {
  upstream = await start(LOAD_CPU, node, [join(SERVERS, 'upstream.ts')]);
  upstreamKind = 'node:http (static 200)';
}
const UP = `http://127.0.0.1:${upstream.port}`;
const WARM_TOKENS = 20_000;
const fresh = WARM_TOKENS + Math.ceil(SECONDS * 8000);
console.error(`generating ${fresh} ES256 tokens for the fresh-token rows…`);
const identity = await start(LOAD_CPU, node, [
  join(SERVERS, 'identity.ts'),
  '--dir',
  dir,
  '--fresh',
  String(fresh),
]);
const ID = `http://127.0.0.1:${identity.port}`;
const token = (await readFile(join(dir, 'token.txt'), 'utf8')).trim();
const redisUp = await new Promise<boolean>((resolve) => {
  const s = createServer();
  void s;
  fetch('http://127.0.0.1:6379').then(
    () => resolve(true),
    (e: { cause?: { code?: string } }) => resolve(e.cause?.code !== 'ECONNREFUSED'),
  );
});

const { rows, porticoRows, portico, bearer } = benchRows({
  dir,
  upstream,
  UP,
  ID,
  token,
  redisUp,
  PROFILE,
  HAVE_NGINX,
  HAVE_HAPROXY,
  WARM_TOKENS,
});

const results: Result[] = [];
const perRound: RoundFigure[] = [];
const selected = rows.filter((r) => !ONLY.length || ONLY.includes(r.id));
if (BEFORE) {
  const commit = spawnSync('git', ['-C', BEFORE, 'rev-parse', '--short', 'HEAD']).stdout.toString().trim();
  for (let i = selected.length - 1; i >= 0; i--) {
    const row = selected[i]!;
    const p = porticoRows.get(row.id);
    if (p === undefined) continue;
    selected.splice(i + 1, 0, {
      ...row,
      id: `${row.id}-before`,
      name: `${row.name} [before: ${commit}]`,
      start: portico(p.mode, p.extra, '', join(BEFORE, 'bench/gateway/servers')),
    });
  }
}
console.error(
  `upstream: ${upstreamKind}; ${SECONDS} s per row, ${ROUNDS} rounds, ${CONNECTIONS} connections, wrk on CPU ${LOAD_CPU}, proxies on CPU ${PROXY_CPU}`,
);
for (const row of selected)
  if (row.skip) {
    console.error(`- ${row.name}: skipped (${row.skip})`);
    results.push({
      id: row.id,
      name: row.name,
      rps: NaN,
      requests: NaN,
      cpuUs: NaN,
      p50: NaN,
      p99: NaN,
      errors: 0,
      direct: NaN,
      ratio: NaN,
      skipped: row.skip,
    });
  }
for (let round = 1; round <= ROUNDS; round++) {
  for (const row of selected) {
    if (row.skip) continue;
    const direct = await wrk(`${UP}/bench`, Math.max(3, Math.round(SECONDS / 2)));
    const server = await row.start();
    const url = `http://127.0.0.1:${server.port}/api/v1/bench`;
    await wrk(url, 2, row.warmArgs ?? row.wrkArgs ?? []); // warm-up (JIT, pools, caches)
    const cpuBefore = await cpuMs(server.proc.pid!);
    const r = await wrk(url, SECONDS, row.wrkArgs ?? []);
    const cpu = (await cpuMs(server.proc.pid!)) - cpuBefore;
    await stop(server);
    const res: Result = {
      id: row.id,
      name: row.name,
      ...r,
      cpuUs: (cpu * 1000) / r.requests,
      direct: direct.rps,
      ratio: r.rps / direct.rps,
    };
    console.error(
      `  round ${round} ${row.name}: ${Math.round(r.rps)} req/s (direct ${Math.round(direct.rps)}, ×${res.ratio.toFixed(3)}), ${res.cpuUs.toFixed(1)} CPU µs/req, p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors ? `, ${r.errors} errors` : ''}`,
    );
    perRound.push({ id: row.id, round, rps: r.rps, cpuUs: res.cpuUs });
    const i = results.findIndex((x) => x.id === row.id);
    if (i < 0) results.push(res);
    else {
      // Keep the best throughput, and the lowest CPU per request, seen over the rounds.
      const best = res.rps > results[i]!.rps ? res : results[i]!;
      results[i] = { ...best, cpuUs: Math.min(res.cpuUs, results[i]!.cpuUs) };
    }
  }
}
results.sort((a, b) => selected.findIndex((r) => r.id === a.id) - selected.findIndex((r) => r.id === b.id));

// ---- fixed rate: added latency at half saturation ----------------------------------------

/**
 * Added latency at half of a row's saturation, open loop: interleaved pairs (direct, then through
 * the row's gateway). A burst from another process shows up as tens of milliseconds of p99 in
 * either run of a pair, so the figure is the median of the pairs' differences, and every pair is
 * printed.
 */
async function fixedRate(
  rowId: string,
  label: string,
  startServer: () => ReturnType<ReturnType<typeof portico>>,
) {
  const row = results.find((r) => r.id === rowId && !Number.isNaN(r.rps));
  if (!row || BEFORE || argv.includes('--no-fixed-rate')) return null;
  const rate = Math.round(row.rps / 2);
  const gen = (url: string, header?: string) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const p = spawn(
        'taskset',
        [
          '-c',
          LOAD_CPU,
          node,
          join(HERE, 'fixed-rate.ts'),
          '--url',
          url,
          '--rate',
          String(rate),
          '--seconds',
          String(SECONDS),
          ...(header ? ['--header', header] : []),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.add(p);
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', () => {
        children.delete(p);
        try {
          resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  const server = await startServer();
  const url = `http://127.0.0.1:${server.port}/api/v1/bench`;
  await wrk(url, 2, bearer);
  const pairs: { direct: Record<string, number>; portico: Record<string, number> }[] = [];
  for (let round = 1; round <= Math.max(ROUNDS, 5); round++) {
    const direct = await gen(`${UP}/bench`);
    const through = await gen(url, `Authorization: Bearer ${token}`);
    console.error(
      `  fixed rate ${rate} req/s, pair ${round}: direct p50 ${direct.p50} / p99 ${direct.p99} ms; ${label} p50 ${through.p50} / p99 ${through.p99} ms`,
    );
    pairs.push({ direct, portico: through });
  }
  await stop(server);
  return {
    rate,
    pairs,
    addedP50: median(pairs.map((x) => x.portico.p50! - x.direct.p50!)),
    addedP99: median(pairs.map((x) => x.portico.p99! - x.direct.p99!)),
    errors: pairs.reduce((n, x) => n + x.portico.errors!, 0),
  } satisfies FixedRate;
}

const fixed = await fixedRate('portico-jwt', 'Portico JWT+RL', portico('jwt'));
const fixedWorkers = await fixedRate(
  'portico-jwt-w2',
  'Portico JWT+RL, 2 workers',
  portico('jwt', ['--workers', '2'], '', SERVERS, `${PROXY_CPU},${LOAD_CPU}`),
);

await report({
  results,
  perRound,
  fixed,
  fixedWorkers,
  upstreamKind,
  seconds: SECONDS,
  rounds: ROUNDS,
  before: Boolean(BEFORE),
  write: !ONLY.length && !BEFORE && !argv.includes('--no-write'),
});

const jsonFile = opt('json', '');
if (jsonFile)
  await writeFile(
    jsonFile,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        upstream: upstreamKind,
        seconds: SECONDS,
        results,
        fixed,
        fixedWorkers,
      },
      null,
      2,
    ),
  );

if (PROFILE) {
  const prof = (await readdir(dir))
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .pop();
  if (prof) {
    await writeFile(join(tmpdir(), `portico-${PROFILE}.cpuprofile`), await readFile(join(dir, prof)));
    const p = JSON.parse(await readFile(join(dir, prof), 'utf8')) as {
      nodes: {
        id: number;
        hitCount: number;
        callFrame: { functionName: string; url: string; lineNumber: number };
      }[];
    };
    const self = new Map<string, number>();
    let total = 0;
    const areas = new Map<string, number>();
    for (const n of p.nodes) {
      if (n.callFrame.functionName === '(idle)') continue;
      const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + n.hitCount);
      const url = n.callFrame.url;
      const area = url.includes('/gateway/src/')
        ? 'gateway code'
        : url.includes('/jose/')
          ? 'jose'
          : url.includes('/undici/')
            ? 'undici'
            : url.startsWith('node:')
              ? 'node core (JS)'
              : n.callFrame.functionName === '(garbage collector)'
                ? 'garbage collector'
                : 'native (syscalls, crypto, V8)';
      areas.set(area, (areas.get(area) ?? 0) + n.hitCount);
      total += n.hitCount;
    }
    console.log(`\nCPU profile of ${PROFILE} (busy samples by area):`);
    for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]))
      console.log(`  ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
    console.log('Top functions (self time):');
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25))
      console.log(`  ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`);
  }
}

await stop(identity);
await stop(upstream);
await rm(dir, { recursive: true, force: true });
