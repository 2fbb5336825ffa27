import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@portico/cli';
import { uniqueName } from '@portico/kit/testing';
import { systemMode } from './harness.ts';

// `npm start` as a user runs it: a real process, then Ctrl-C (SIGINT).
describe.skipIf(systemMode !== 'embedded')('portico dev (npm start)', () => {
  it('starts the whole platform, serves the gateway, and stops cleanly on Ctrl-C', async () => {
    const dataDir = path.join(os.tmpdir(), uniqueName('portico-dev'));
    const child = spawn(process.execPath, [path.join(repoRoot, 'packages/cli/src/main.ts'), 'dev'], {
      env: {
        ...process.env,
        PORT: '0',
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
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`not started within 60 s:\n${out}`)), 60_000);
        const check = () => {
          const m = /gateway (http:\/\/[^\s]+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        };
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`exited early:\n${out}`)));
      });
      const health = await fetch(`${url}/health`);
      expect([200, 503]).toContain(health.status);
      expect(((await health.json()) as { services: object }).services).toHaveProperty('identity');
      const docs = await fetch(`${url}/docs`);
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/text\/html/);
      // A first start generates the admin password, printed once and kept with mode 0600.
      expect(out).toMatch(/admin-password\.txt/);
      const { stat } = await import('node:fs/promises');
      expect((await stat(path.join(dataDir, 'identity', 'admin-password.txt'))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    } finally {
      child.kill('SIGINT');
    }
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(code).toBe(0);
    expect(out).toMatch(/SIGINT: shutting down gracefully/);
  }, 90_000);
});
