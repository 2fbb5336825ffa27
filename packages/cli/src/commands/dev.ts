/** `portico dev`: the whole platform in one process on embedded storage; Ctrl-C stops it cleanly. */
import { startEmbedded } from '../platform.ts';
import { waitForShutdown } from '../shutdown.ts';

export async function run(): Promise<number> {
  const platform = await startEmbedded();
  console.log(
    `\n  Portico is running: gateway ${platform.gatewayUrl}  ·  docs ${platform.gatewayUrl}/docs  ·  services: ${[...platform.services.keys()].join(', ')}\n`,
  );
  await waitForShutdown(() => platform.stop());
  return 0;
}
