/**
 * `portico start gateway` with `workers: N` (or `--workers N`) above one: the gateway on N
 * worker threads sharing its port (`@portico/gateway`'s worker pool). Each worker opens its
 * own NATS and Redis connections from the same settings.
 */
import { startGatewayWorkers, type GatewayConfig } from '@portico/gateway';
import type { Logger } from 'pino';

export async function startGatewayPool(opts: {
  workers: number;
  config: GatewayConfig;
  configPath: string;
  passportSecret: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  port: number;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const { env } = opts;
  const pool = await startGatewayWorkers({
    workers: opts.workers,
    config: opts.config,
    configPath: opts.configPath,
    passportSecret: opts.passportSecret,
    ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
    ...(env.USAGE_DATABASE_URL && { usageDatabaseUrl: env.USAGE_DATABASE_URL }),
    ...(env.NATS_URL && {
      nats: {
        url: env.NATS_URL,
        ...(env.PORTICO_NATS_STREAM && { stream: env.PORTICO_NATS_STREAM }),
        ...(env.PORTICO_NATS_PREFIX && { prefix: env.PORTICO_NATS_PREFIX }),
      },
    }),
    logger: opts.logger,
    port: opts.port,
    host: env.HOST ?? '0.0.0.0',
  });
  return { url: pool.url, stop: () => pool.close() };
}

/** `--workers N|auto` out of `args` (the rest returned); undefined when absent. */
export function takeWorkersFlag(args: string[]): { workers?: number | 'auto'; rest: string[] } {
  const rest: string[] = [];
  let workers: number | 'auto' | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = a === '--workers' ? args[++i] : a.startsWith('--workers=') ? a.slice(10) : undefined;
    if (value === undefined) {
      rest.push(a);
      continue;
    }
    if (value !== 'auto' && !/^[1-9][0-9]*$/.test(value))
      throw new Error(`--workers takes "auto" or a positive number, not "${value}"`);
    workers = value === 'auto' ? 'auto' : Number(value);
  }
  return { ...(workers !== undefined && { workers }), rest };
}
