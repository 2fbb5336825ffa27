/** `src/repository/<plural>.ts`: SQL only. */
import type { Names } from '../names.ts';

export function repositoryTs(n: Names): string {
  return `/** SQL for ${n.pluralWords} (Kysely), nothing else: rules live in domain/, transactions in commands/. */
import type { Kysely, Transaction } from 'kysely';
import type { ${n.ServicePascal}Database, ${n.Singular}Row } from '../tables.ts';

type Db = Kysely<${n.ServicePascal}Database> | Transaction<${n.ServicePascal}Database>;

export async function insert${n.Singular}(
  db: Db,
  values: { id: string; owner_id: string; title: string },
): Promise<${n.Singular}Row> {
  return db.insertInto('${n.table}').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function find${n.Singular}(db: Db, id: string): Promise<${n.Singular}Row | undefined> {
  return db.selectFrom('${n.table}').selectAll().where('id', '=', id).executeTakeFirst();
}

/** One owner's ${n.pluralWords}, for \`listPage\` (the index is (owner_id, created_at, id)). */
export function ownedBy(db: Db, ownerId: string) {
  return db.selectFrom('${n.table}').selectAll().where('owner_id', '=', ownerId);
}
`;
}
