/**
 * The benchmark's process tools: servers started pinned to a CPU (and stopped, all of them, when
 * the run ends), wrk runs parsed into figures, and CPU time read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { createServer } from 'node:net';

/** The proxy under test runs alone on CPU 0; wrk, the upstream and identity on CPU 1. */
export const PROXY_CPU = '0';
export const LOAD_CPU = '1';
export const CONNECTIONS = 64;

export const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

export const children = new Set<ChildProcess>();
export function stopAll(): void {
  for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
}
process.on('exit', stopAll);
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

export async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts a process pinned to `cpu`; resolves when it prints `READY <port>` (or after `waitMs` for non-Node servers). */
export async function start(
  cpu: string,
  cmd: string,
  args: string[],
  opts: { port?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<{ port: number; proc: ChildProcess }> {
  // BENCH_NODE_FLAGS (e.g. `--single-threaded-gc`) go to every Node server this script starts.
  const flags =
    cmd === process.execPath && process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];
  const proc = spawn('taskset', ['-c', cpu, cmd, ...flags, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  children.add(proc);
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (opts.port !== undefined) {
    const port = opts.port;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (await reachable(port)) return { port, proc };
      if (proc.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`${cmd} did not start on port ${port} (exit ${proc.exitCode}): ${err}`);
  }
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)));
  });
  return { port, proc };
}

export async function stop(p: { proc: ChildProcess }): Promise<void> {
  if (p.proc.exitCode !== null) return;
  const exited = new Promise((r) => p.proc.once('exit', r));
  process.kill(p.proc.pid!, 'SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  if (p.proc.exitCode === null && p.proc.signalCode === null) process.kill(p.proc.pid!, 'SIGKILL');
  children.delete(p.proc);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    fetch(`http://127.0.0.1:${port}/`).then(
      (r) => {
        void r.arrayBuffer();
        resolve(true);
      },
      () => resolve(false),
    );
  });
}

export interface WrkResult {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
}

/**
 * CPU time (ms) used so far by `pid` and its descendants, from /proc. CPU per request is the
 * noise-resistant figure on a shared machine: other processes steal wall time, not CPU time.
 */
export async function cpuMs(pid: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = await readFile(`/proc/${entry}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  let ticks = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    ticks += stats.get(p)?.ticks ?? 0;
    for (const [child, st] of stats) if (st.ppid === p) todo.push(child);
  }
  return ticks * 10; // USER_HZ = 100
}

function ms(v: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

export async function wrk(url: string, seconds: number, extra: string[] = []): Promise<WrkResult> {
  // wrk takes a script's own arguments after the URL, behind `--`.
  const cut = extra.indexOf('--');
  const opts = cut < 0 ? extra : extra.slice(0, cut);
  const scriptArgs = cut < 0 ? [] : extra.slice(cut);
  const args = [
    '-c',
    LOAD_CPU,
    'wrk',
    '-t1',
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    '--latency',
    ...opts,
    url,
    ...scriptArgs,
  ];
  const p = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(p);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => p.once('exit', r));
  children.delete(p);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const p50 = ms(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = ms(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, requests, p50, p99, errors };
}
