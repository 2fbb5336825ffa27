/** `src/views.ts`: rows to public JSON. */
import type { Names } from '../names.ts';

export function viewsTs(n: Names): string {
  return `/** Rows → the public JSON shapes: snake_case, RFC 3339 times, a link to itself. */
import type { ${n.Singular}Row } from './tables.ts';

export function public${n.Singular}(row: ${n.Singular}Row) {
  return {
    id: row.id,
    owner_id: row.owner_id,
    title: row.title,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    links: { self: \`/api/v1/${n.plural}/\${row.id}\` },
  };
}
`;
}
