/** `README.md`: the service's own page: routes, who may call them, rules, events. */
import type { Names } from '../names.ts';

export function readmeMd(n: Names, port: number): string {
  const base = `/api/v1/${n.plural}`;
  return `# ${n.service}

${n.PluralWords}, each owned by the user who creates it. Embedded port **${port}**; reached through
the gateway under \`${base}\`. Written by \`portico new service ${n.service}\`: the walk-through of
every file is [docs/writing-a-service.md](../../docs/writing-a-service.md).

## Routes

Every route needs a signed-in caller (401 otherwise) and follows
[docs/api-conventions.md](../../docs/api-conventions.md): problem+json errors naming the field,
cursor-paginated lists, RFC 3339 times.

| Route | Who | Behaviour |
|---|---|---|
| \`POST ${base}\` \`{title}\` | any signed-in user | 201 + \`Location\`; the caller owns it. \`title\` 1–200 characters, not blank, trimmed (422 naming \`title\`); unknown fields → 422 |
| \`GET ${base}\` (\`limit\`, \`cursor\`) | owner | the caller's own ${n.pluralWords}, newest first |
| \`GET ${base}/{id}\` | owner | another user's → 404, the same answer as for an id that does not exist |

${n.Singular}: \`{id, owner_id, title, created_at, updated_at, links: {self}}\`.

## Events

| Type | When | Data |
|---|---|---|
| \`${n.entity}.created\` | a ${n.singularWords} was created (published in the same transaction) | \`{${n.entity}_id, owner_id, title}\` |

Consumes nothing yet.

## Configuration

No settings of its own. Distributed mode: \`portico start ${n.service}\` with \`DATABASE_URL\`,
\`NATS_URL\` and \`PORTICO_PASSPORT_SECRET\`; the gateway finds it at
\`PORTICO_UPSTREAM_${n.SERVICE_ENV}\` (see \`deploy/\`).

## Tests

\`\`\`sh
npx vitest run services/${n.service}
PORTICO_TEST_DB=postgres PORTICO_TEST_BUS=nats npx vitest run services/${n.service}
\`\`\`
`;
}
