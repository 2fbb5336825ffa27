/** Shared bits of the benchmark servers: argv parsing and the READY handshake with run.ts. */
export function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`missing --${name}`);
    return fallback;
  }
  return v;
}

/** Tells run.ts the server listens (first stdout line), and exits on SIGTERM. */
export function ready(port: number): void {
  process.stdout.write(`READY ${port}\n`);
  process.on('SIGTERM', () => process.exit(0));
}
