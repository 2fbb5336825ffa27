import { Type } from '@portico/kit';
import { loadSettings } from '@portico/kit/runtime';

export const ShutdownEnv = Type.Object({
  PORTICO_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 15_000, description: 'milliseconds' }),
});

/** How long a graceful shutdown may take: `PORTICO_SHUTDOWN_GRACE_MS`, default 15 s. */
export function shutdownGraceMs(source: Record<string, string | undefined> = process.env): number {
  const env = loadSettings(ShutdownEnv, source);
  return env.PORTICO_SHUTDOWN_GRACE_MS;
}

/**
 * Graceful shutdown on SIGINT/SIGTERM: stop accepting, finish in-flight work, close pools. A
 * second signal, or the grace period passing, forces the exit.
 */
export function waitForShutdown(stop: () => Promise<void>, graceMs = shutdownGraceMs()): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`${signal} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      console.error(`${signal}: shutting down gracefully`);
      const force = setTimeout(() => {
        console.error('shutdown took too long; exiting');
        process.exit(1);
      }, graceMs);
      force.unref();
      stop().then(
        () => {
          clearTimeout(force);
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
          resolve();
        },
        (err: unknown) => {
          console.error('shutdown failed', err);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
