/**
 * Preload for a benchmark server (`node --import ./bench/gateway/promoted-heap.ts …`): samples
 * the allocations that survive the young generation and die later (promoted garbage: the
 * signature of objects kept alive too long, or of a dead old object holding young ones), and
 * writes them as a `.heapprofile` that Chrome DevTools' Memory tab opens.
 *
 * Env: PROMOTED_HEAP_OUT (default /tmp/promoted.heapprofile), PROMOTED_HEAP_START_MS (default
 * 2500: after warm-up), PROMOTED_HEAP_MS (default 4000: how long to sample).
 */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

const out = process.env.PROMOTED_HEAP_OUT ?? '/tmp/promoted.heapprofile';
const startMs = Number(process.env.PROMOTED_HEAP_START_MS ?? 2500);
const durationMs = Number(process.env.PROMOTED_HEAP_MS ?? 4000);

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
setTimeout(() => {
  void session
    .post('HeapProfiler.startSampling', {
      samplingInterval: 8192,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    })
    .then(() => {
      setTimeout(() => {
        void session.post('HeapProfiler.getSamplingProfile').then(async ({ profile }) => {
          await writeFile(out, JSON.stringify(profile));
          process.stderr.write(`promoted-heap: wrote ${out}\n`);
        });
      }, durationMs).unref();
    });
}, startMs).unref();
