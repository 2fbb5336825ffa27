/**
 * What sharing idempotency records across gateway workers costs: an `idempotencyBegin` +
 * `idempotencyComplete` pair on the worker's own `MemoryStore` against the same pair sent to the
 * main thread's store over the worker's port (`packages/gateway/src/workers/state-channel.ts`),
 * measured in one run, interleaved, so the ratio holds on a noisy machine. Only requests that
 * carry `Idempotency-Key` pay it.
 *
 *   npx node bench/gateway/shared-state.ts [--pairs 20000] [--rounds 5]
 */
import { MessageChannel, Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MemoryStore } from '../../packages/gateway/src/store/memory.ts';
import { serveSharedState, SharedStateClient } from '../../packages/gateway/src/workers/state-channel.ts';
import type { MessagePort } from 'node:worker_threads';

const RESPONSE = {
  status: 201,
  headers: [['content-type', 'application/json']] as [string, string][],
  body: 'e30=',
};

async function pairs(
  store: Pick<MemoryStore, 'idempotencyBegin' | 'idempotencyComplete'>,
  n: number,
  tag: string,
) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const key = `${tag}:${i}`;
    const begun = await store.idempotencyBegin(key, 'fp', 30_000);
    if (begun.state === 'started') await store.idempotencyComplete(key, begun.token, 'fp', RESPONSE, 60_000);
  }
  return Number(process.hrtime.bigint() - t0) / 1000 / n; // µs per pair
}

if (isMainThread) {
  const arg = (name: string, d: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const n = arg('pairs', 20_000);
  const rounds = arg('rounds', 5);
  const channel = new MessageChannel();
  const mainStore = new MemoryStore();
  serveSharedState(channel.port1, mainStore);
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { port: channel.port2, n, rounds },
    transferList: [channel.port2],
  });
  const result = await new Promise<{ local: number[]; shared: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  channel.port1.close();
  await mainStore.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const local = median(result.local);
  const shared = median(result.shared);
  console.log(`idempotency begin+complete, ${n} pairs × ${rounds} rounds (median of rounds):`);
  console.log(`  worker's own store      ${local.toFixed(2)} µs/pair`);
  console.log(
    `  main thread over a port ${shared.toFixed(2)} µs/pair  (${(shared / local).toFixed(1)}×, +${(shared - local).toFixed(1)} µs)`,
  );
} else {
  const { port, n, rounds } = workerData as { port: MessagePort; n: number; rounds: number };
  const local = new MemoryStore();
  const shared = new SharedStateClient(port, 10_000);
  port.ref(); // the client unrefs it (a gateway's server keeps its loop alive; this script has none)
  const out = { local: [] as number[], shared: [] as number[] };
  await pairs(local, 2000, 'warm-l');
  await pairs(shared, 2000, 'warm-s');
  for (let r = 0; r < rounds; r++) {
    out.local.push(await pairs(local, n, `l${r}`));
    out.shared.push(await pairs(shared, n, `s${r}`));
  }
  await local.close();
  parentPort!.postMessage(out);
}
