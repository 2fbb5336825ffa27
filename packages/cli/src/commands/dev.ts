/**
 * `portico dev [--demo] [--workers N|auto]`: the whole platform in one process on embedded
 * storage; Ctrl-C stops it cleanly. `--demo` then fills it with the demo school and shop
 * (`portico demo`) and prints the accounts to sign in to the console with. `--workers` runs the
 * gateway on that many worker threads (default: `workers` in portico.yaml).
 */
import path from 'node:path';
import { startEmbedded } from '../platform.ts';
import { takeWorkersFlag } from '../gateway-workers.ts';
import { waitForShutdown } from '../shutdown.ts';
import { runDemo } from './demo.ts';

export async function run(argv: string[] = []): Promise<number> {
  let parsed;
  try {
    parsed = takeWorkersFlag(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const { workers, rest: args } = parsed;
  const platform = await startEmbedded(workers === undefined ? {} : { workers });
  console.log(
    `\n  Portico is running: gateway ${platform.gatewayUrl}  ·  console ${platform.gatewayUrl}/console  ·  docs ${platform.gatewayUrl}/docs  ·  services: ${[...platform.services.keys()].join(', ')}\n`,
  );
  if (args.includes('--demo'))
    await runDemo({
      url: platform.gatewayUrl,
      dataDir: path.resolve(process.env.PORTICO_DATA_DIR ?? path.join(process.cwd(), 'data')),
      env: process.env,
    }).catch((err: unknown) => console.error(`  demo: ${(err as Error).message}`));
  await waitForShutdown(() => platform.stop());
  return 0;
}
