/** `portico start <service|gateway>`: one part of the distributed deployment. */
import { startPart } from '../platform.ts';
import { waitForShutdown } from '../shutdown.ts';

export async function run(args: string[]): Promise<number> {
  const name = args[0];
  if (!name) {
    console.error('usage: portico start <service|gateway>');
    return 2;
  }
  const part = await startPart(name);
  console.log(`${name} listening on ${part.url}`);
  await waitForShutdown(() => part.stop());
  return 0;
}
