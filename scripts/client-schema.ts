/**
 * Regenerates `packages/client/src/schema.ts` from the gateway's merged `/openapi.json`
 * (`npm run client:generate`): starts the whole platform in memory on free ports, reads the
 * document the gateway serves, and turns it into TypeScript with openapi-typescript. The
 * console's browser test compares the committed file with what the running gateway serves, so
 * a route or schema changed without regenerating fails there.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderSchema, SCHEMA_FILE } from '@portico/client/render';
import { openGatewayDocuments } from './openapi/document.ts';

const docs = await openGatewayDocuments();
try {
  const { doc } = await docs.get();
  await writeFile(SCHEMA_FILE, await renderSchema(doc));
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
} finally {
  await docs.stop();
}
