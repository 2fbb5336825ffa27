/**
 * The gateway's OpenAPI document as TypeScript types (openapi-typescript), exactly as
 * `src/schema.ts` holds them: the generator writes this, the drift test compares with it.
 */
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';

export const SCHEMA_FILE = path.join(import.meta.dirname, 'schema.ts');

const HEADER = `/**
 * Generated from the gateway's /openapi.json by \`npm run client:generate\`; do not edit.
 * test/system/console.test.ts fails when this file no longer matches what the gateway serves.
 */
`;

export async function renderSchema(doc: Record<string, unknown>): Promise<string> {
  // Rate limits depend on the deployment's portico.yaml, not on the API's shape.
  const ast = await openapiTS(JSON.stringify(doc), { exportType: false });
  return HEADER + astToString(ast);
}
