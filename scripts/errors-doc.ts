/**
 * Writes docs/errors.md from the kit's problem registry (the one source of every `code`).
 * `node scripts/errors-doc.ts` regenerates it; a test fails when the two drift apart.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { problemRegistry, problemType } from '../packages/kit/src/errors/registry.ts';

export function renderErrorsDoc(): string {
  const rows = Object.entries(problemRegistry)
    .sort(([, a], [, b]) => a.status - b.status)
    .map(
      ([code, e]) =>
        `| \`${code}\` | ${e.status} | ${e.title} | \`${problemType(code as keyof typeof problemRegistry)}\` |`,
    );
  return `# Problem codes

Every error Portico answers — from the gateway or any service — is an RFC 9457 problem
(\`application/problem+json\`) with a stable \`code\`. Clients switch on \`code\`, never on
\`title\` or \`detail\`. A code is never reused for another meaning once retired.

Generated from \`packages/kit/src/errors/registry.ts\` by \`node scripts/errors-doc.ts\`; do not edit by hand.

| code | status | title | type |
|---|---|---|---|
${rows.join('\n')}

Every problem carries \`request_id\` (also in the \`X-Request-Id\` header and every log line of the
request); 422s carry \`errors: [{ field, code, message }]\` naming each invalid field; 401s carry
\`WWW-Authenticate: Bearer\`; 405s carry \`Allow\`; 429s and 503s carry \`Retry-After\`.
`;
}

if (import.meta.main) {
  writeFileSync(path.resolve(import.meta.dirname, '../docs/errors.md'), renderErrorsDoc());
  console.log('docs/errors.md written');
}
