/**
 * The education benchmark, one command (Node 24 through npm): `npx node bench/education/run.ts [--quick]`.
 * Everything goes through the real gateway with an admin's token (rate limits raised out of the
 * way, still evaluated), on the embedded platform in this process: identity, students,
 * curriculum, finance and notifications. Setup (courses with a fee schedule, students) is not timed.
 *
 * 1. Throughput: a fixed number of `POST /api/v1/enrollments` (one per student, round-robin over
 *    the courses; each issues an invoice by event), then as many `POST /api/v1/invoices/{id}/payments`
 *    (the full fee, each with its own Idempotency-Key), with a bounded number in flight from a
 *    worker thread — embedded (PGlite + memory bus) against PostgreSQL + NATS, in rotated order
 *    per round. Also how long the event chain took to drain after each load.
 * 2. Latency, one request at a time, the event chain quiet before each: from the enrolment
 *    POST's 201 to finance's transaction that issued the invoice committing (`enrollment.created`
 *    handled), and from the grade PUT's 200 to the students profile's transaction committing the
 *    new GPA (`grade.recorded` handled); each sample is then checked through the gateway (the
 *    invoice is listed, the profile shows the expected GPA). PGlite and PostgreSQL × memory bus
 *    and NATS. A chain that committed before the client had its response counts as 0 ms.
 * 3. `npm start` (`node packages/cli/src/main.ts dev`, all nine services): spawn → `/health`
 *    healthy on a fresh and then a warm data directory, resident memory then, settled, and peak.
 *
 * Options: --quick, --rounds N, --enrolments N, --concurrency N, --latency N, --starts N,
 *          --only throughput,latency,startup, --json FILE.
 * Needs PostgreSQL and NATS on 127.0.0.1 (or PORTICO_TEST_POSTGRES_URL / _NATS_URL); each stack
 * uses its own databases and stream and removes them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BusKind, DbKind } from '@portico/kit/testing';
import { call, f0, f1, flag, ifMatch, log, machine, median, opt, pct, rotate, runLoad } from '../common.ts';
import { gatewayStack } from '../stacks.ts';
import {
  createCourses,
  createStudents,
  EDUCATION_SERVICES,
  enrolRequests,
  EventWatch,
  gradePoints,
  invoicesOf,
  paymentRequests,
} from './school.ts';
import { measureStart, type StartupSample } from './startup.ts';

const QUICK = flag('quick');
const ROUNDS = Number(opt('rounds', QUICK ? '1' : '2'));
const N = Number(opt('enrolments', QUICK ? '200' : '600'));
const CONCURRENCY = Number(opt('concurrency', '16'));
const LATENCY = Number(opt('latency', QUICK ? '40' : '100'));
const STARTS = Number(opt('starts', QUICK ? '2' : '3'));
const ONLY = opt('only', 'throughput,latency,startup').split(',');
const JSON_OUT = opt('json', '');
const WARMUP = QUICK ? 30 : 60;
const LATENCY_WARMUP = 10;
const COURSES = 20;

interface ThroughputRun {
  stack: string;
  round: number;
  enrolmentsPerSec: number;
  enrolP50: number;
  enrolP99: number;
  invoicesDrainMs: number;
  paymentsPerSec: number;
  payP50: number;
  payP99: number;
}

async function throughput(db: DbKind, bus: BusKind, round: number): Promise<ThroughputRun> {
  const watch = new EventWatch();
  const stack = await gatewayStack(0, db, { bus, only: EDUCATION_SERVICES });
  try {
    const courses = await createCourses(stack, COURSES, 100_000);
    const students = await createStudents(stack, WARMUP + N);
    await watch.reach('curriculum', 'student.created', WARMUP + N);
    await watch.reach('finance', 'student.created', WARMUP + N);
    const load = async (what: string, requests: ReturnType<typeof enrolRequests>) => {
      const res = await runLoad(stack.origin, requests, CONCURRENCY);
      if ((res.statuses[201] ?? 0) !== requests.length)
        throw new Error(`${what}: ${JSON.stringify(res.statuses)} ${res.bodies.join(' | ')}`);
      return res;
    };
    // Warm-up: the same path, untimed.
    const warm = students.slice(0, WARMUP);
    await load('warm-up enrolments', enrolRequests(stack, warm, courses));
    await watch.reach('finance', 'enrollment.created', WARMUP);
    await load('warm-up payments', paymentRequests(stack, await invoicesOf(stack, warm)));
    await watch.idle(200);

    const timed = students.slice(WARMUP);
    const enrolled = await load('enrolments', enrolRequests(stack, timed, courses));
    const loadEnd = performance.now();
    await watch.reach('finance', 'enrollment.created', WARMUP + N);
    const invoicesDrainMs = performance.now() - loadEnd;
    const invoices = await invoicesOf(stack, timed);
    await watch.idle(200);
    const paid = await load('payments', paymentRequests(stack, invoices));
    // Spot check: the invoices are paid.
    for (const id of [invoices[0]!, invoices.at(-1)!]) {
      const inv = await call(stack, 'GET', `/api/v1/invoices/${id}`, stack.staffHeaders());
      if (inv.status !== 'paid') throw new Error(`invoice ${id} is ${inv.status} after its payment`);
    }
    const run: ThroughputRun = {
      stack: stack.label,
      round,
      enrolmentsPerSec: N / (enrolled.elapsedMs / 1000),
      enrolP50: pct(enrolled.latenciesMs, 50),
      enrolP99: pct(enrolled.latenciesMs, 99),
      invoicesDrainMs,
      paymentsPerSec: N / (paid.elapsedMs / 1000),
      payP50: pct(paid.latenciesMs, 50),
      payP99: pct(paid.latenciesMs, 99),
    };
    log(
      `${run.stack} (round ${round}): ${f0(run.enrolmentsPerSec)} enrolments/s, invoices drained ${f0(invoicesDrainMs)} ms after; ${f0(run.paymentsPerSec)} payments/s`,
    );
    return run;
  } finally {
    watch.close();
    await stack.stop();
  }
}

interface LatencyRun {
  db: DbKind;
  bus: BusKind;
  /** Response → commit, ms; negative when the chain committed before the client had its 2xx. */
  invoiceMs: number[];
  gpaMs: number[];
  /** The same from the moment the request was sent. */
  invoiceFromSendMs: number[];
  gpaFromSendMs: number[];
}

/** A chain that committed before the response arrived counts as 0 ms. */
const clamp = (xs: number[]) => xs.map((x) => Math.max(0, x));

async function latency(db: DbKind, bus: BusKind): Promise<LatencyRun> {
  const watch = new EventWatch();
  const stack = await gatewayStack(0, db, { bus, only: EDUCATION_SERVICES });
  const admin = stack.staffHeaders();
  const out: LatencyRun = { db, bus, invoiceMs: [], gpaMs: [], invoiceFromSendMs: [], gpaFromSendMs: [] };
  try {
    const [course] = await createCourses(stack, 1, 100_000);
    const students = await createStudents(stack, LATENCY_WARMUP + LATENCY);
    await watch.reach('curriculum', 'student.created', students.length);
    await watch.reach('finance', 'student.created', students.length);
    for (const [i, s] of students.entries()) {
      await watch.idle();
      const invoiced = watch.next('finance', 'enrollment.created');
      const sent = performance.now();
      const res = await fetch(`${stack.origin}/api/v1/enrollments`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ student_id: s.id, course_id: course }),
      });
      const t0 = performance.now();
      const e = (await res.json()) as { id: string };
      if (res.status !== 201) throw new Error(`enrolment: ${res.status} ${JSON.stringify(e)}`);
      const invoicedAt = await invoiced;
      const list = await call(stack, 'GET', `/api/v1/invoices?student_id=${s.id}`, admin);
      if (!(list.data as { enrollment_id: string }[]).some((inv) => inv.enrollment_id === e.id))
        throw new Error(`the invoice of enrolment ${e.id} is not readable`);

      await watch.idle();
      const score = 55 + ((i * 7) % 45);
      const recorded = watch.next('students', 'grade.recorded');
      const sent2 = performance.now();
      const g = await fetch(`${stack.origin}/api/v1/enrollments/${e.id}/grade`, {
        method: 'PUT',
        headers: await ifMatch(stack, `/api/v1/enrollments/${e.id}`, admin),
        body: JSON.stringify({ score }),
      });
      const t2 = performance.now();
      if (g.status >= 300) throw new Error(`grade: ${g.status} ${await g.text()}`);
      await g.arrayBuffer().catch(() => undefined);
      const recordedAt = await recorded;
      const profile = await call(stack, 'GET', `/api/v1/students/${s.id}/profile`, admin);
      if (profile.gpa !== gradePoints(score))
        throw new Error(
          `profile GPA ${profile.gpa} after a score of ${score} (expected ${gradePoints(score)})`,
        );
      if (i >= LATENCY_WARMUP) {
        out.invoiceMs.push(invoicedAt - t0);
        out.gpaMs.push(recordedAt - t2);
        out.invoiceFromSendMs.push(invoicedAt - sent);
        out.gpaFromSendMs.push(recordedAt - sent2);
      }
    }
    log(
      `${db} + ${bus}: enrolment → invoice p50 ${f1(pct(clamp(out.invoiceMs), 50))} ms, grade → GPA p50 ${f1(pct(clamp(out.gpaMs), 50))} ms`,
    );
    return out;
  } finally {
    watch.close();
    await stack.stop();
  }
}

async function startups(): Promise<{ cold: StartupSample; warm: StartupSample[] }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portico-bench-start-'));
  try {
    const cold = await measureStart(dataDir);
    log(`npm start, fresh data directory: healthy after ${f0(cold.healthyMs)} ms`);
    const warm: StartupSample[] = [];
    for (let i = 0; i < STARTS; i++) {
      warm.push(await measureStart(dataDir));
      log(`npm start, warm data directory: healthy after ${f0(warm.at(-1)!.healthyMs)} ms`);
    }
    return { cold, warm };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ── run ──────────────────────────────────────────────────────────────────────────────────────
const loadBefore = os.loadavg();
const started = new Date();
const results: {
  startup?: Awaited<ReturnType<typeof startups>>;
  throughput: ThroughputRun[];
  latency: LatencyRun[];
} = { throughput: [], latency: [] };

// The platform's own start first, while this process holds nothing else.
if (ONLY.includes('startup')) results.startup = await startups();
if (ONLY.includes('throughput')) {
  const stacks: [DbKind, BusKind][] = [
    ['pglite', 'memory'],
    ['postgres', 'nats'],
  ];
  for (let r = 0; r < ROUNDS; r++)
    for (const [db, bus] of rotate(stacks, r)) results.throughput.push(await throughput(db, bus, r + 1));
}
if (ONLY.includes('latency')) {
  for (const [db, bus] of [
    ['pglite', 'memory'],
    ['pglite', 'nats'],
    ['postgres', 'memory'],
    ['postgres', 'nats'],
  ] as const)
    results.latency.push(await latency(db, bus));
}
const loadAfter = os.loadavg();

// ── report (markdown on stdout) ──────────────────────────────────────────────────────────────
const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
const lines = [
  `Run: ${started.toISOString()} · ${machine()} · load average (1, 5, 15 min) before ${la(loadBefore)}, after ${la(loadAfter)}`,
  `Command: npx node bench/education/run.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
];
if (results.throughput.length) {
  lines.push(
    '',
    `**Through the gateway** (${N} requests per load after ${WARMUP} warm-up, ${CONCURRENCY} in flight, ${COURSES} courses; rounds ${ROUNDS})`,
    '',
    '| stack | round | enrolments/s | enrol p50 / p99 ms | invoices drained after (ms) | payments/s | pay p50 / p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const t of results.throughput)
    lines.push(
      `| ${t.stack} | ${t.round} | ${f0(t.enrolmentsPerSec)} | ${f1(t.enrolP50)} / ${f1(t.enrolP99)} | ${f0(t.invoicesDrainMs)} | ${f0(t.paymentsPerSec)} | ${f1(t.payP50)} / ${f1(t.payP99)} |`,
    );
  const of = (label: string, k: 'enrolmentsPerSec' | 'paymentsPerSec') =>
    median(results.throughput.filter((t) => t.stack.includes(label)).map((t) => t[k]));
  lines.push(
    '',
    `PostgreSQL + NATS ÷ PGlite + memory bus (medians): enrolments ${(of('PostgreSQL', 'enrolmentsPerSec') / of('PGlite', 'enrolmentsPerSec')).toFixed(2)}×, payments ${(of('PostgreSQL', 'paymentsPerSec') / of('PGlite', 'paymentsPerSec')).toFixed(2)}×`,
  );
}
if (results.latency.length) {
  lines.push(
    '',
    `**Event chains** (one request at a time, ${LATENCY} samples after ${LATENCY_WARMUP} warm-up, through the gateway)`,
    '',
    '| storage + bus | enrolment 201 → invoice committed p50 / p99 ms | grade 200 → profile GPA committed p50 / p99 ms | committed before the 2xx arrived | from the request sent: invoice p50 / p99 ms | GPA p50 / p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const l of results.latency) {
    const [inv, gpa] = [clamp(l.invoiceMs), clamp(l.gpaMs)];
    const early = [...l.invoiceMs, ...l.gpaMs].filter((x) => x < 0).length;
    lines.push(
      `| ${l.db} + ${l.bus} | ${f1(pct(inv, 50))} / ${f1(pct(inv, 99))} | ${f1(pct(gpa, 50))} / ${f1(pct(gpa, 99))} | ${early} of ${inv.length + gpa.length} | ${f1(pct(l.invoiceFromSendMs, 50))} / ${f1(pct(l.invoiceFromSendMs, 99))} | ${f1(pct(l.gpaFromSendMs, 50))} / ${f1(pct(l.gpaFromSendMs, 99))} |`,
    );
  }
}
if (results.startup) {
  const { cold, warm } = results.startup;
  const row = (label: string, s: StartupSample) =>
    `| ${label} | ${s.services} | ${f0(s.healthyMs)} | ${f0(s.rssAtHealthyMiB)} | ${f0(s.rssSettledMiB)} | ${f0(s.peakMiB)} |`;
  lines.push(
    '',
    '**`npm start`** (`node packages/cli/src/main.ts dev`, PGlite on disk; goal ≤ 10 s, ≤ 1 GB)',
    '',
    '| data directory | services | spawn → /health healthy (ms) | RSS when healthy (MiB) | RSS 3 s later (MiB) | peak RSS (MiB) |',
    '|---|---:|---:|---:|---:|---:|',
    row('fresh (first start: migrations, keys, admin)', cold),
    ...warm.map((s, i) => row(`warm, start ${i + 1}`, s)),
  );
}
console.log(lines.join('\n'));
if (JSON_OUT) await writeFile(JSON_OUT, JSON.stringify(results, null, 2));
process.exit(0);
