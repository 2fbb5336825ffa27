/**
 * Writes docs/errors.md from the problem registry (the one source of every `code`): the kit's
 * platform codes plus each domain's, registered by `@portico/contracts`.
 * `node scripts/errors-doc.ts` regenerates it; a test fails when the two drift apart.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import '@portico/contracts';
import { fieldCodes, problemType, registeredProblems, setPublicUrl, type ProblemCode } from '@portico/kit';

export function renderErrorsDoc(): string {
  setPublicUrl(undefined); // the document shows the default, origin-relative types
  const rows = registeredProblems()
    .sort((a, b) => a.status - b.status || a.code.localeCompare(b.code))
    .map(
      (e) =>
        `| \`${e.code}\` | ${e.status} | ${e.title} | ${e.domain} | \`${problemType(e.code as ProblemCode)}\` |`,
    );
  const fields = Object.entries(fieldCodes).map(([code, meaning]) => `| \`${code}\` | ${meaning} |`);
  return `# Problem codes

Every error Portico answers — from the gateway or any service — is an RFC 9457 problem
(\`application/problem+json\`) with a stable \`code\`. Clients switch on \`code\`, never on
\`title\` or \`detail\`. A code is never reused for another meaning once retired.

The kit defines the platform codes (\`packages/kit/src/errors/registry.ts\`); each domain registers its
own in \`packages/contracts/src/\`. Generated from both by \`node scripts/errors-doc.ts\`; do not edit by hand.

A problem's \`type\` is the page the gateway serves for its code, spelled exactly as the code:
\`GET /problems/not_found\` answers an HTML page to a browser and an \`application/problem+json\`
description (\`type\`, \`code\`, \`title\`, \`status\`, \`owner\`, \`description\`) to a client
that asks for JSON; \`GET /problems\` lists them all. Types are origin-relative (RFC 9457 §3.1.1
allows a URI reference, resolved against the URL that answered) unless \`PORTICO_PUBLIC_URL\` is set
(for every process: services answer problems too), which makes them absolute
(\`https://api.example.com/problems/not_found\`).

| code | status | title | owner | type |
|---|---|---|---|---|
${rows.join('\n')}

Every problem carries \`request_id\` (also in the \`X-Request-Id\` header and every log line of the
request); 422s carry \`errors: [{ field, code, message }]\` naming each invalid field; 401s carry
\`WWW-Authenticate: Bearer\`; 405s carry \`Allow\`; 429s and 503s carry \`Retry-After\`.

## Field codes

A 422's \`errors[]\` names each invalid field **once** (\`field\`, \`code\`, \`message\`). For input
the route's schema refuses, \`code\` is one of these (\`packages/kit/src/errors/field-codes.ts\`),
never a validator's keyword; a value outside an enumeration also carries \`allowed\`, the values
the field accepts (\`null\` among them when it is nullable):

\`\`\`json
{ "field": "priority", "code": "not_allowed", "message": "must be one of \\"low\\", \\"high\\"", "allowed": ["low", "high"] }
\`\`\`

| code | meaning |
|---|---|
${fields.join('\n')}

A service's own rules add codes of their own (\`below_reserved\`, \`overlap\`), listed in its README.
`;
}

if (import.meta.main) {
  writeFileSync(path.resolve(import.meta.dirname, '../docs/errors.md'), renderErrorsDoc());
  console.log('docs/errors.md written');
}
