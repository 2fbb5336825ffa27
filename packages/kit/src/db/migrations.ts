/**
 * Forward-only numbered SQL migrations, the same files on PGlite and PostgreSQL. They run at
 * start in one transaction under an advisory lock, so two replicas starting together apply
 * each migration exactly once (the second waits, then finds them applied).
 */
import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { ServiceDatabase } from './database.ts';

export interface Migration {
  /** Sorts the migrations; by convention `001_create_orders`. */
  name: string;
  sql: string;
}

/** Reads `NNN_name.sql` files from a folder, in name order. */
export async function loadMigrations(dir: URL | string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const base = typeof dir === 'string' ? dir.replace(/\/?$/, '/') : dir;
  return Promise.all(
    files.map(async (f) => ({
      name: f.replace(/\.sql$/, ''),
      sql: await readFile(typeof base === 'string' ? base + f : new URL(f, base), 'utf8'),
    })),
  );
}

export async function runMigrations(
  store: ServiceDatabase,
  migrations: readonly Migration[],
): Promise<string[]> {
  const applied: string[] = [];
  await store.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${'portico-migrate:' + store.schema}))`.execute(trx);
    await sql`create table if not exists portico_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const done = new Set(
      (await sql<{ name: string }>`select name from portico_migrations`.execute(trx)).rows.map((r) => r.name),
    );
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await sql.raw(m.sql).execute(trx);
      await sql`insert into portico_migrations (name) values (${m.name})`.execute(trx);
      applied.push(m.name);
    }
  });
  return applied;
}
