/**
 * Portico in one of the benchmark's modes: `plain` (no policies), `jwt` (ES256 JWT + rate
 * limit + passport), `rl` (rate limit only), `apikey` (API key + rate limit + passport); `--redis URL` keeps the
 * limits in Redis instead of memory; `--workers N` runs N gateway worker threads on one port;
 * `--compression` turns on response compression (threshold 1kb); `--access-log` turns on the
 * access log (info lines to /dev/null, asynchronously) — every other row runs with it off;
 * `--product` turns on the API-product features of issue 18 as a deployment would run them: the
 * access log, a default plan every authenticated caller is held to (rate, monthly quota and
 * concurrency cap, set far above the load so nothing is refused) and usage recording, flushed
 * to PostgreSQL (`--usage-db URL`, default the machine's `postgres` database's server);
 * `--plan` and `--usage` turn on one of those alone, to attribute the cost.
 */
import { pino } from 'pino';
import {
  createGateway,
  startGatewayWorkers,
  type GatewayConfig,
} from '../../../packages/gateway/src/index.ts';
import { arg, ready } from './common.ts';

const mode = arg('mode');
const redis = arg('redis', '');
const workers = Number(arg('workers', '1'));
const compression = process.argv.includes('--compression');
const product = process.argv.includes('--product');
const accessLog = product || process.argv.includes('--access-log');
const plan = product || process.argv.includes('--plan');
const usage = product || process.argv.includes('--usage');
const usageDb = arg('usage-db', 'postgres://postgres@127.0.0.1:5432/postgres');
const auth = mode === 'plain' || mode === 'rl' ? 'none' : 'required';
const config: GatewayConfig = {
  version: 1,
  metrics: { enabled: true },
  access_log: accessLog,
  ...(compression && { compression: { enabled: true, threshold: '1kb' } }),
  usage: { enabled: usage },
  ...(plan && {
    plans: {
      default: 'bench',
      tiers: {
        bench: {
          rate: { limit: 1_000_000_000, window: '1m' },
          monthly_quota: 1_000_000_000_000,
          concurrency: 100_000,
        },
      },
    },
  }),
  policies: { rate_limits: { bench: { limit: 1_000_000_000, window: '1m', by: ['caller'] } } },
  services: {
    upstream: { instances: [arg('upstream')], health: false, openapi: false, pool: { connections: 128 } },
    identity: { instances: [arg('identity')], health: false, openapi: false },
  },
  routes: [
    {
      prefix: '/',
      service: 'upstream',
      auth,
      rate_limits: mode === 'plain' ? [] : ['bench'],
      retry: false,
      // The bench key is scoped orders:*:own; every route needs a scope the key holds.
      api_key_scope: 'orders',
    },
  ],
};
const common = {
  config,
  passportSecret: 'bench-secret-0123456789abcdef',
  logger: accessLog
    ? pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }))
    : pino({ level: 'warn' }),
  port: 0,
  host: '127.0.0.1',
  ...(redis && { redisUrl: redis }),
  ...(usage && { usageDatabaseUrl: usageDb }),
};
if (workers > 1) {
  const pool = await startGatewayWorkers({ ...common, workers });
  ready(pool.port);
} else {
  const gw = await createGateway(common);
  const { port } = await gw.listen();
  ready(port);
}
