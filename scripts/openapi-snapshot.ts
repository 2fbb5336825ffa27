/**
 * `npm run openapi:snapshot`: writes the gateway's current `/openapi.json` (the newest API
 * version, recorded in `info.x-portico-version` when the gateway has versions) to
 * `openapi/snapshot.json`, after an additive change. The CI gate (test/contract/openapi.test.ts)
 * fails on a breaking change against this file; docs/api-contract.md.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openGatewayDocuments, snapshotOf, SNAPSHOT_FILE } from './openapi/document.ts';

const docs = await openGatewayDocuments();
try {
  const { doc, version } = await docs.get();
  await writeFile(SNAPSHOT_FILE, `${JSON.stringify(snapshotOf(doc, version), null, 2)}\n`);
  const ops = Object.values(doc.paths as Record<string, object>).reduce(
    (n, item) => n + Object.keys(item).length,
    0,
  );
  console.log(
    `wrote ${path.relative(process.cwd(), SNAPSHOT_FILE)} (${ops} operations${version ? `, version ${version}` : ''})`,
  );
} finally {
  await docs.stop();
}
