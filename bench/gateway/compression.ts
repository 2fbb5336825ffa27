/**
 * What compression costs per answer, without HTTP around it (so a loaded machine disturbs it
 * less than the wrk rows): the decision the gateway makes for every answer when compression is
 * on (Accept-Encoding negotiation and the header checks), and the CPU and bytes of gzip (level 6)
 * and brotli (quality 4) for JSON list answers of a few sizes, encoded as the gateway does (one
 * synchronous `node:zlib` call for a body of known length up to 64 kB, else a zlib stream off the
 * main thread), and the same bodies forced through the stream. CPU is the process's user+system time.
 *
 *   npx node bench/gateway/compression.ts
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import {
  compressible,
  encodeBody,
  negotiate,
  ONE_SHOT_MAX,
  varyOnEncoding,
} from '../../packages/gateway/src/edge/compression.ts';

const DECISIONS = 1_000_000;

function decisionNs(): number {
  const head = { 'content-type': 'application/json; charset=utf-8', 'content-length': '80' };
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < DECISIONS; i++) {
    if (compressible(200, 'GET', head, 1024)) {
      varyOnEncoding(head);
      n += negotiate('gzip, deflate, br', ['br', 'gzip']) === null ? 0 : 1;
    }
  }
  const ns = ((performance.now() - t0) * 1e6) / DECISIONS;
  if (n !== 0) throw new Error('an 80-byte answer must not be compressed');
  return ns;
}

function body(items: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      data: Array.from({ length: items }, (_, i) => ({
        id: `0192d6c4-7c1e-7000-8000-${String(i).padStart(12, '0')}`,
        title: `Task number ${i}`,
        status: i % 3 ? 'pending' : 'done',
        priority: 'normal',
        created_at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      })),
      has_more: false,
      next_cursor: null,
    }),
  );
}

/** One answer through the gateway's encoder into a counting sink; `streamed` forces the zlib stream. */
async function encodeOnce(coding: 'br' | 'gzip', input: Buffer, streamed: boolean): Promise<number> {
  const head: Record<string, string> = {
    'content-length': String(streamed ? ONE_SHOT_MAX + 1 : input.length),
  };
  let out = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      out += c.length;
      cb();
    },
  });
  sink.once('finish', finish);
  const enc = encodeBody(head, coding, sink);
  enc.write(input);
  enc.end();
  await done;
  return out;
}

async function encodeCost(coding: 'br' | 'gzip', input: Buffer, rounds: number, streamed: boolean) {
  let bytes = 0;
  for (let i = 0; i < 20; i++) await encodeOnce(coding, input, streamed); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) bytes = await encodeOnce(coding, input, streamed);
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuUs: (cpu.user + cpu.system) / rounds,
    wallUs: ((performance.now() - t0) * 1000) / rounds,
    bytes,
  };
}

console.log(
  `decision per answer (compression on, 80-byte JSON, not compressed): ${decisionNs().toFixed(0)} ns`,
);
console.log('| JSON answer | coding | bytes out | ratio | CPU µs, one call | CPU µs, streamed |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const items of [10, 50, 200]) {
  const input = body(items);
  for (const coding of ['gzip', 'br'] as const) {
    const one = await encodeCost(coding, input, 400, false);
    const streamed = await encodeCost(coding, input, 400, true);
    console.log(
      `| ${input.length} B (${items} items) | ${coding} | ${one.bytes} | ${(one.bytes / input.length).toFixed(3)} | ${one.cpuUs.toFixed(1)} | ${streamed.cpuUs.toFixed(1)} |`,
    );
  }
}
