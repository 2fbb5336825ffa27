/**
 * Access to the real servers tests run against (PostgreSQL, Redis, NATS). In CI they are
 * mandatory: an unreachable one fails the run. Elsewhere the tests that need one report
 * themselves skipped with the reason.
 */
import net from 'node:net';

export const POSTGRES_URL =
  process.env.PORTICO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.PORTICO_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const checks = {
  postgres: () => reachable(POSTGRES_URL, 5432),
  redis: () => reachable(REDIS_URL, 6379),
  nats: () => reachable(NATS_URL, 4222),
};
export type ServerKind = keyof typeof checks;

/**
 * Resolves to null when the server is reachable, or to the reason to skip. Under `CI=true`
 * an unreachable server throws instead: CI must not pass by skipping.
 */
export async function serverUnavailable(kind: ServerKind): Promise<string | null> {
  if (await checks[kind]()) return null;
  const reason = `${kind} is not reachable (start it: see README "Servers for tests")`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${reason}; in CI it is required`);
  return reason;
}
