/**
 * `portico new service` on a copy of this repository: the new service is routed, checked,
 * typechecks and passes its own generated test with no edit, and nothing under packages/
 * changes. The copy is the working tree's files (tracked and new, not ignored) with
 * node_modules linked, committed to a fresh git repository so `git status` shows what the
 * command changed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const source = path.resolve(import.meta.dirname, '../../..');
const name = `demo-${randomBytes(3).toString('hex')}`;

/** The environment for child processes: without the outer vitest's worker variables or colours. */
const childEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('VITEST') && !['NODE_OPTIONS', 'FORCE_COLOR'].includes(k),
    ),
  ),
  NO_COLOR: '1',
};

interface Run {
  code: number | null;
  out: string;
}

function sh(cwd: string, cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { cwd, env: childEnv, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Node 24 (the one running this test) on a script, without blocking the event loop. */
function node(cwd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: childEnv });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const portico = (cwd: string, ...args: string[]) => node(cwd, ['packages/cli/src/main.ts', ...args]);

async function copyRepository(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portico-new-service-'));
  const copy = spawnSync(
    'bash',
    ['-c', `git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -xf - -C "${dir}"`],
    { cwd: source, encoding: 'utf8' },
  );
  if (copy.status !== 0) throw new Error(`copy failed: ${copy.stderr}`);
  for (const nm of ['node_modules', 'packages/gateway/node_modules', 'packages/kit/node_modules']) {
    if (existsSync(path.join(source, nm))) await symlink(path.join(source, nm), path.join(dir, nm));
  }
  const git = ['-c', 'user.name=test', '-c', 'user.email=test@portico.invalid', '-c', 'commit.gpgsign=false'];
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    [...git, 'commit', '-qm', 'copy'],
  ]) {
    const r = sh(dir, 'git', args);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.out}`);
  }
  return dir;
}

describe('portico new service', () => {
  let repo: string;
  let generated: Run;
  let status: string[];
  let typecheck: Promise<Run>;
  let serviceTests: Promise<Run>;

  beforeAll(async () => {
    repo = await copyRepository();
    generated = await portico(repo, 'new', 'service', name, '--no-install');
    status = sh(repo, 'git', ['status', '--porcelain', '--untracked-files=all'])
      .out.split('\n')
      .filter(Boolean);
    if (generated.code !== 0) return;
    // One after the other, started here and awaited by the tests below: run side by side they
    // would starve the test files running in parallel with this one on a small machine.
    await writeFile(
      path.join(repo, 'tsconfig.new-service.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        include: [`services/${name}/src`, `services/${name}/test`],
      }),
    );
    // Incremental, with the build info kept between runs (the kit's files are the same real files
    // every time, through the node_modules link): mostly the new service is checked from scratch.
    const buildInfo = path.join(source, 'node_modules/.cache/portico/new-service.tsbuildinfo');
    typecheck = node(repo, [
      'node_modules/typescript/bin/tsc',
      '--noEmit',
      '--incremental',
      '--tsBuildInfoFile',
      buildInfo,
      '-p',
      'tsconfig.new-service.json',
    ]);
    serviceTests = typecheck.then(() =>
      node(repo, ['node_modules/vitest/vitest.mjs', 'run', `services/${name}`]),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([typecheck, serviceTests]);
    if (repo) await rm(repo, { recursive: true, force: true });
  });

  it('writes the service in the common layout and says where it put it', async () => {
    expect(generated.code, generated.out).toBe(0);
    expect(generated.out).toContain(`services/${name}: port 8010, routes /api/v1/${name}`);
    for (const file of [
      'package.json',
      'README.md',
      'src/service.ts',
      `src/routes/${name}.ts`,
      `src/commands/create-${name}.ts`,
      'src/domain/ownership.ts',
      `src/repository/${name}.ts`,
      'src/tables.ts',
      'src/views.ts',
      'src/events.ts',
      `src/migrations/001_${name.replaceAll('-', '_')}.sql`,
      `test/${name}.test.ts`,
    ]) {
      expect(existsSync(path.join(repo, 'services', name, file)), file).toBe(true);
    }
    const pkg = JSON.parse(await readFile(path.join(repo, 'services', name, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: `@portico/${name}`, portico: { port: 8010 } });
  });

  it('routes it in portico.yaml, which portico check accepts, and adds its deploy stanzas', async () => {
    const config = parseYaml(await readFile(path.join(repo, 'portico.yaml'), 'utf8'));
    expect(config.services[name]).toEqual({
      instances: ['http://127.0.0.1:8010'],
      health: { path: '/health/ready', interval: '5s' },
    });
    expect(config.routes).toContainEqual({ name, prefix: `/api/v1/${name}`, service: name });
    const check = await portico(repo, 'check');
    expect(check.code, check.out).toBe(0);
    expect(check.out).toMatch(/ok — \d+ services/);

    const compose = parseYaml(await readFile(path.join(repo, 'deploy/compose.yaml'), 'utf8'), {
      merge: true,
    });
    expect(compose.services[name].command).toEqual(['start', name]);
    const env = `PORTICO_UPSTREAM_${name.replaceAll('-', '_').toUpperCase()}`;
    expect(compose.services.gateway.environment[env]).toBe(`http://${name}:8010`);
    const k8s = await readFile(path.join(repo, `deploy/kubernetes/base/${name}.yaml`), 'utf8');
    expect(k8s).toContain(`name: ${name}`);
    expect(k8s).toContain('containerPort: 8010');
  }, 120_000);

  it('changes nothing under packages/ (the kit least of all)', () => {
    expect(status.length).toBeGreaterThan(0);
    const changed = status.map((line) => line.slice(3));
    expect(changed.filter((f) => f.startsWith('packages/'))).toEqual([]);
    const outsideService = changed.filter((f) => !f.startsWith(`services/${name}/`)).sort();
    expect(outsideService).toEqual(
      [
        'deploy/compose.yaml',
        `deploy/kubernetes/base/${name}.yaml`,
        'deploy/kubernetes/base/gateway.yaml',
        'deploy/kubernetes/base/kustomization.yaml',
        'deploy/kubernetes/base/migrate-job.yaml',
        'docs/events.md',
        'portico.yaml',
      ].sort(),
    );
  });

  it('writes code that typechecks', async () => {
    const r = await typecheck;
    expect(r.code, r.out).toBe(0);
  }, 240_000);

  it('writes a service test that passes', async () => {
    const r = await serviceTests;
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Tests\s+6 passed \(6\)/);
  }, 240_000);

  it('refuses a name that is taken, naming the reason, and writes nothing', async () => {
    for (const taken of [name, 'tasks']) {
      const r = await portico(repo, 'new', 'service', taken, '--no-install');
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`services/${taken} already exists`);
    }
    const route = await portico(
      repo,
      'new',
      'service',
      'task-archive',
      '--resource',
      'tasks',
      '--no-install',
    );
    expect(route.code, route.out).toBe(1);
    expect(route.out).toContain('already has a route named "tasks"');
    expect(existsSync(path.join(repo, 'services/task-archive'))).toBe(false);
  }, 120_000);

  it('refuses a name that is not kebab-case, or reserved, and writes nothing', async () => {
    for (const bad of ['Demo', 'demo_x', '1demo', 'demo--x', 'demo-', 'gateway']) {
      const r = await portico(repo, 'new', 'service', bad, '--no-install');
      expect(r.code, `${bad}: ${r.out}`).toBe(1);
      expect(r.out).toMatch(bad === 'gateway' ? /reserved/ : /kebab-case/);
      expect(existsSync(path.join(repo, 'services', bad)), bad).toBe(false);
    }
    const usage = await portico(repo, 'new', 'service');
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('usage: portico new service <name>');
  }, 120_000);
});
