/** `src/tables.ts` and the first migration: the table, as SQL and as Kysely sees it. */
import type { Names } from '../names.ts';

export function tablesTs(n: Names): string {
  return `/** The service's tables, as Kysely sees them (keep in step with migrations/). */
import type { ColumnType, Generated, Selectable } from 'kysely';

export interface ${n.Singular}Table {
  id: string;
  owner_id: string;
  title: string;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ${n.ServicePascal}Database {
  ${n.table}: ${n.Singular}Table;
}

export type ${n.Singular}Row = Selectable<${n.Singular}Table>;
`;
}

export function migrationSql(n: Names): string {
  return `-- ${n.PluralWords}, each owned by the user who created it.
--
-- Lists page by (owner_id, created_at, id) with the kit's keyset pagination, so that index
-- makes every page an index range: page 1,000 costs what page 1 costs. Ids compare bytewise
-- (collate "C") so the tie-breaker order is the same on PGlite and PostgreSQL in any locale.
-- Migrations are append-only: change the table in 002_*.sql, never by editing this file.

create table "${n.table}" (
  id text collate "C" primary key,
  owner_id text not null,
  title text not null,
  created_at timestamptz(3) not null default now(),
  updated_at timestamptz(3) not null default now()
);
create index "${n.table}_owner_created" on "${n.table}" (owner_id, created_at, id);
-- A version the kit bumps on every change: GETs answer with it as an ETag, writes honour If-Match.
select kit_versioned('${n.table}');
`;
}
