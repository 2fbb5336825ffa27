/** `portico check` cross-checks each service's port (package.json against portico.yaml) and names restart-only settings. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as check } from '../src/commands/check.ts';
import { servicePortIssues } from '../src/port-check.ts';

const config = (instances: string) => `version: 1
services:
  notes:
    instances: [${instances}]
routes:
  - prefix: /api/v1/notes
    service: notes
    auth: none
`;

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    return { code: await fn(), out: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('portico check: service ports', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'portico-ports-'));
    await mkdir(path.join(root, 'services/notes'), { recursive: true });
    await writeFile(
      path.join(root, 'services/notes/package.json'),
      JSON.stringify({ name: '@portico/notes', portico: { port: 8101 } }),
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('fails naming both ports and the line when portico.yaml disagrees with package.json', async () => {
    const file = path.join(root, 'portico.yaml');
    await writeFile(file, config('http://127.0.0.1:8102'));
    const r = await capture(() => check([file]));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${file}:4  services.notes.instances[0]: port 8102 does not match`);
    expect(r.out).toContain('services/notes/package.json "portico.port" 8101');
  });

  it('accepts matching ports', async () => {
    const file = path.join(root, 'portico.yaml');
    await writeFile(file, config('http://127.0.0.1:8101'));
    const r = await capture(() => check([file]));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ok — 1 services');
  });

  it('compares only embedded (loopback) instances of services that have a folder', async () => {
    expect(await servicePortIssues(config('http://notes:8102, http://10.0.0.5:9000'), root)).toEqual([]);
    expect(await servicePortIssues(config('http://localhost:9'), root)).toEqual([
      expect.objectContaining({ path: 'services.notes.instances[0]', line: 4 }),
    ]);
    const other = config('http://127.0.0.1:1').replaceAll('notes', 'elsewhere');
    expect(await servicePortIssues(other, root)).toEqual([]);
  });

  it('agrees with the repository’s own portico.yaml', async () => {
    const r = await capture(() => check([path.resolve(import.meta.dirname, '../../../portico.yaml')]));
    expect(r.code, r.out).toBe(0);
  });
});

describe('portico check: settings a hot reload does not apply', () => {
  it('names those the file sets', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'portico-restart-'));
    try {
      const file = path.join(root, 'portico.yaml');
      await writeFile(
        file,
        `${config('http://127.0.0.1:1')}identity:\n  clock_skew: 10s\n  service: identity\nstore:\n  prefix: 'x:'\n`,
      );
      const r = await capture(() => check([file]));
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('a hot reload does not apply store.prefix, identity.clock_skew');
      expect(r.out).toContain('next restart');
      await writeFile(file, config('http://127.0.0.1:1'));
      expect((await capture(() => check([file]))).out).not.toContain('hot reload');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
