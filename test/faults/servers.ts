/**
 * Private PostgreSQL, NATS JetStream and Redis servers for fault tests, on free ports in a
 * temporary directory. Fault tests stop, kill and restart these — never the shared servers other
 * test runs use. Each server keeps its data across a restart (PostgreSQL's data directory,
 * JetStream's store directory); Redis runs without persistence, as the gateway's cache.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../system/processes.ts';

export interface PrivateServer {
  readonly url: string;
  /** Starts (again) on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** PostgreSQL: a fast shutdown (clients get 57P01); NATS and Redis: SIGKILL. */
  stop(): Promise<void>;
  /** Stops and removes its data. */
  destroy(): Promise<void>;
}

async function accepting(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing accepts on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function binary(name: string): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const p = path.join(root, v, 'bin', name);
    if (existsSync(p)) return p;
  }
  return null;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Why private servers cannot run here, or null. */
export function privateServersUnavailable(): string | null {
  if (!binary('initdb') || !binary('pg_ctl')) return 'PostgreSQL binaries (initdb, pg_ctl) not found';
  if (!onPath('nats-server')) return 'nats-server not on PATH';
  if (!onPath('redis-server')) return 'redis-server not on PATH';
  return null;
}

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** initdb refuses to run as root: PostgreSQL's tools then run as the `postgres` user. */
function asPostgres(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  chownSync(dir, Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim()), 0);
  return ['runuser', '-u', 'postgres', '--'];
}

function run(cmd: string[]): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: 'pipe' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr?.toString()}`);
}

export async function privatePostgres(): Promise<PrivateServer> {
  const dir = tempDir('portico-fault-pg-');
  const port = await freePort();
  const prefix = asPostgres(dir);
  const data = path.join(dir, 'data');
  run([...prefix, binary('initdb')!, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const ctl = (...args: string[]) =>
    run([...prefix, binary('pg_ctl')!, '-D', data, '-l', path.join(dir, 'log'), '-o', opts, ...args]);
  const server: PrivateServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      ctl('start', '-w', '-t', '30');
      await accepting(port);
    },
    async stop() {
      ctl('stop', '-m', 'fast', '-w', '-t', '30');
    },
    async destroy() {
      try {
        ctl('stop', '-m', 'immediate', '-w', '-t', '30');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A server that is one child process of this test, killed with SIGKILL to fail. */
async function processServer(url: string, port: number, cmd: string, args: string[], dir: string) {
  let proc: ChildProcess | null = null;
  const kill = () =>
    new Promise<void>((resolve) => {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null || p.signalCode !== null) return resolve();
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  const server: PrivateServer = {
    url,
    async start() {
      proc = spawn(cmd, args, { stdio: 'ignore' });
      await accepting(port);
    },
    stop: kill,
    async destroy() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export async function privateNats(): Promise<PrivateServer> {
  const dir = tempDir('portico-fault-nats-');
  const port = await freePort();
  return processServer(
    `nats://127.0.0.1:${port}`,
    port,
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    dir,
  );
}

export async function privateRedis(): Promise<PrivateServer> {
  const dir = tempDir('portico-fault-redis-');
  const port = await freePort();
  return processServer(
    `redis://127.0.0.1:${port}`,
    port,
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    dir,
  );
}
