/**
 * `npm test`: the whole suite, then the storage × bus matrix and distributed mode.
 *
 *   1. everything on PGlite + the in-process bus, system tests in embedded mode
 *   2. the kit and the services on PostgreSQL + NATS JetStream
 *   3. the kit on PGlite + NATS and on PostgreSQL + the in-process bus (the other two cells)
 *   4. the system, security and fault tests in distributed mode (a process per part, PostgreSQL,
 *      NATS, Redis; the fault tests on private servers they stop and restart)
 *
 * Each run's counts are summed into one closing line: `N passed, N failed, N skipped`.
 * `npm test -- --quick` runs only step 1. Arguments after `--` that are not flags are passed
 * to every vitest run as file filters.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Step {
  label: string;
  env: Record<string, string>;
  paths: string[];
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));

const steps: Step[] = [
  {
    label: 'pglite+memory, embedded system',
    env: { PORTICO_TEST_DB: 'pglite', PORTICO_TEST_BUS: 'memory', PORTICO_SYSTEM_MODE: 'embedded' },
    paths: [],
  },
];
if (!quick) {
  steps.push(
    {
      label: 'postgres+nats',
      env: { PORTICO_TEST_DB: 'postgres', PORTICO_TEST_BUS: 'nats' },
      paths: ['packages/kit', 'services', 'test/flows'],
    },
    {
      label: 'pglite+nats',
      env: { PORTICO_TEST_DB: 'pglite', PORTICO_TEST_BUS: 'nats' },
      paths: ['packages/kit'],
    },
    {
      label: 'postgres+memory',
      env: { PORTICO_TEST_DB: 'postgres', PORTICO_TEST_BUS: 'memory' },
      paths: ['packages/kit'],
    },
    {
      label: 'distributed system',
      env: { PORTICO_SYSTEM_MODE: 'distributed' },
      paths: ['test/system', 'test/security', 'test/faults'],
    },
  );
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'portico-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps: string[] = [];
const started = Date.now();

for (const [i, step] of steps.entries()) {
  const out = path.join(tmp, `step-${i}.json`);
  const t0 = Date.now();
  console.log(`\n=== ${step.label} ===`);
  const res = spawnSync(
    process.execPath,
    [
      path.resolve('node_modules/vitest/vitest.mjs'),
      'run',
      ...step.paths,
      ...filters,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    { stdio: 'inherit', env: { ...process.env, ...step.env } },
  );
  let counted = false;
  try {
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      numFailedTestSuites: number;
    };
    totals.passed += report.numPassedTests;
    totals.failed +=
      report.numFailedTests +
      (report.numFailedTests === 0 && res.status !== 0 ? report.numFailedTestSuites : 0);
    totals.skipped += report.numPendingTests + report.numTodoTests;
    counted = true;
  } catch {
    /* no report: vitest itself failed */
  }
  if (res.status !== 0) {
    failedSteps.push(step.label);
    if (!counted) totals.failed += 1;
  }
  console.log(
    `=== ${step.label}: ${res.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s ===`,
  );
}
rmSync(tmp, { recursive: true, force: true });
failedSteps = [...new Set(failedSteps)];
console.log(
  `\nmatrix finished in ${((Date.now() - started) / 1000).toFixed(1)} s${failedSteps.length ? `; failed: ${failedSteps.join(', ')}` : ''}`,
);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = failedSteps.length ? 1 : 0;
