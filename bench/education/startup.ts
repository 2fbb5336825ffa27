/**
 * `npm start` measured as a user runs it: `node packages/cli/src/main.ts dev` (all services and
 * the gateway in one process on PGlite) spawned on a data directory of its own, on a free port
 * of 127.0.0.1 (`PORT=0`, ephemeral service ports). Reports the time from spawn to the gateway's
 * `/health` answering `healthy` with every service healthy, and the process's resident memory
 * (`VmRSS`) then and a few seconds later, and its peak (`VmHWM`) — from `/proc`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@portico/cli';

export interface StartupSample {
  /** Spawn → `/health` healthy, ms. */
  healthyMs: number;
  services: number;
  /** Resident memory when healthy, and after `settleMs` idle, MiB. */
  rssAtHealthyMiB: number;
  rssSettledMiB: number;
  /** Peak resident memory up to then, MiB. */
  peakMiB: number;
}

async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** One start of the platform on `dataDir`, stopped with Ctrl-C (SIGINT) afterwards. */
export async function measureStart(dataDir: string, settleMs = 3000): Promise<StartupSample> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'packages/cli/src/main.ts'), 'dev'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      PORTICO_SERVICE_PORTS: 'ephemeral',
      PORTICO_DATA_DIR: dataDir,
      PORTICO_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    const deadline = Date.now() + 120_000;
    let url: string | undefined;
    let services = 0;
    for (;;) {
      if (gone) throw new Error(`portico dev exited early:\n${out}`);
      if (Date.now() > deadline) throw new Error(`not healthy within 120 s:\n${out}`);
      url ??= /gateway (http:\/\/[^\s]+)/.exec(out)?.[1];
      if (url) {
        const res = await fetch(`${url}/health`).catch(() => undefined);
        const body = (await res?.json().catch(() => undefined)) as
          { status: string; services: Record<string, string> } | undefined;
        if (body?.status === 'healthy') {
          services = Object.keys(body.services).length;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const healthyMs = performance.now() - t0;
    const atHealthy = await memoryOf(child.pid!);
    await new Promise((r) => setTimeout(r, settleMs));
    const settled = await memoryOf(child.pid!);
    return {
      healthyMs,
      services,
      rssAtHealthyMiB: atHealthy.rss,
      rssSettledMiB: settled.rss,
      peakMiB: settled.peak,
    };
  } finally {
    if (!gone) child.kill('SIGINT');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
  }
}
