import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const s = new Session();
s.connect();
await s.post('HeapProfiler.enable');
setTimeout(async () => {
  await s.post('HeapProfiler.startSampling', { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
  setTimeout(async () => {
    const { profile } = await s.post('HeapProfiler.getSamplingProfile');
    writeFileSync('/tmp/p99/heap.json', JSON.stringify(profile));
    process.stderr.write('HEAP SAMPLE WRITTEN\n');
  }, 4000).unref();
}, 2500).unref();
