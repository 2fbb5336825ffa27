/** Messages between the gateway's main thread (`pool.ts`) and its worker threads (`worker-main.ts`). */
import type { MessagePort } from 'node:worker_threads';
import type { GatewayConfig } from '../config/schema.ts';
import type { BreakerState } from '../upstream/breaker.ts';
import type { WorkerHealth } from '../own/routes.ts';

export interface WorkerStartData {
  workerId: number;
  config: GatewayConfig;
  passportSecret: string | Uint8Array;
  sharedWindows: SharedArrayBuffer;
  /** Transferred: this worker's end of the channel to the main thread's shared state. */
  sharedState: MessagePort;
  port: number;
  host: string;
  redisUrl?: string | undefined;
  usageDatabaseUrl?: string | undefined;
  /** Transferred, embedded mode: this worker's end of the main thread's usage store (`usage/port-store.ts`). */
  usage?: MessagePort | undefined;
  nats?: { url: string; stream?: string | undefined; prefix?: string | undefined } | undefined;
  /** Transferred, embedded mode: this worker's end of the main thread's bus (`bus-channel.ts`). */
  bus?: MessagePort | undefined;
  logLevel: string;
}

/** A breaker change one worker made, passed to the others (`Breaker.adopt`). */
export interface BreakerChange {
  type: 'breaker';
  service: string;
  origin: string;
  state: BreakerState;
  openedAt: number;
}

export type ToWorker =
  | BreakerChange
  | { type: 'reload'; seq: number; config: GatewayConfig }
  | { type: 'render-metrics'; seq: number }
  | { type: 'aggregated-metrics'; seq: number; text: string }
  | { type: 'workers-health'; seq: number; workers: WorkerHealth[] }
  | { type: 'close' };

export type FromWorker =
  | BreakerChange
  | { type: 'listening'; port: number }
  | { type: 'start-failed'; message: string }
  | { type: 'reloaded'; seq: number; error?: string }
  | { type: 'metrics'; seq: number; text: string }
  | { type: 'aggregate-metrics'; seq: number }
  | { type: 'ask-workers-health'; seq: number }
  | { type: 'closed' };
