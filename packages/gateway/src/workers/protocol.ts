/** Messages between the gateway's main thread (`pool.ts`) and its worker threads (`worker-main.ts`). */
import type { GatewayConfig } from '../config/schema.ts';

export interface WorkerStartData {
  workerId: number;
  config: GatewayConfig;
  passportSecret: string | Uint8Array;
  sharedWindows: SharedArrayBuffer;
  port: number;
  host: string;
  redisUrl?: string | undefined;
  nats?: { url: string; stream?: string | undefined; prefix?: string | undefined } | undefined;
  logLevel: string;
}

export type ToWorker =
  | { type: 'reload'; seq: number; config: GatewayConfig }
  | { type: 'render-metrics'; seq: number }
  | { type: 'aggregated-metrics'; seq: number; text: string }
  | { type: 'close' };

export type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'start-failed'; message: string }
  | { type: 'reloaded'; seq: number; error?: string }
  | { type: 'metrics'; seq: number; text: string }
  | { type: 'aggregate-metrics'; seq: number }
  | { type: 'closed' };
