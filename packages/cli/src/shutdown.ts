/**
 * Graceful shutdown on SIGINT/SIGTERM: stop accepting, finish in-flight work, close pools. A
 * second signal, or the grace period passing, forces the exit.
 */
export function waitForShutdown(
  stop: () => Promise<void>,
  graceMs = Number(process.env.PORTICO_SHUTDOWN_GRACE_MS ?? 15_000),
): Promise<void> {
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
