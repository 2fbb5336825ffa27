/**
 * Regenerates `packages/client/src/schema.ts` from the gateway's merged `/openapi.json`
 * (`npm run client:generate`): starts the whole platform in memory on free ports, reads the
 * document the gateway serves, and turns it into TypeScript with openapi-typescript. The
 * console's browser test compares the committed file with what the running gateway serves, so
 * a route or schema changed without regenerating fails there.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { renderSchema, SCHEMA_FILE } from '@portico/client/render';
import { startEmbedded } from '@portico/cli';

process.env.PORTICO_LOG_LEVEL ??= 'warn';
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portico-client-'));
const platform = await startEmbedded({
  inMemory: true,
  dataDir,
  servicePorts: 'ephemeral',
  port: 0,
  env: { ...process.env, PORTICO_ADMIN_PASSWORD: randomBytes(18).toString('base64url') },
});
try {
  const doc = (await (await fetch(`${platform.gatewayUrl}/openapi.json`)).json()) as Record<string, unknown>;
  await writeFile(SCHEMA_FILE, await renderSchema(doc));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
} finally {
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}
