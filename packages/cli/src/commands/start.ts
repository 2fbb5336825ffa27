/** `portico start <service|gateway>`: one part of the distributed deployment. */
import { startPart } from '../platform.ts';
import { waitForShutdown } from '../shutdown.ts';
import { takeWorkersFlag } from '../gateway-workers.ts';

export async function run(args: string[]): Promise<number> {
  const { workers, rest } = takeWorkersFlag(args);
  const name = rest[0];
  if (!name) {
    console.error('usage: portico start <service|gateway> [--workers N|auto]');
    return 2;
  }
  if (workers !== undefined && name !== 'gateway') {
    console.error('--workers applies to the gateway only');
    return 2;
  }
  const part = await startPart(name, workers === undefined ? {} : { workers });
  console.log(`${name} listening on ${part.url}`);
  await waitForShutdown(() => part.stop());
  return 0;
}
