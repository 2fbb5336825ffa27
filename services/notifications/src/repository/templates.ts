/** SQL for notification templates. */
import type { Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Db } from '../deps.ts';
import type { Channel, TemplatesTable } from '../tables.ts';

export type TemplateRow = Selectable<TemplatesTable>;

export function insertTemplate(
  db: Db,
  t: {
    name: string;
    description: string | null;
    channel: Channel;
    title: string;
    body: string;
    created_by: string | null;
  },
): Promise<TemplateRow> {
  return db
    .insertInto('templates')
    .values({ id: uuidv7(), ...t })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findTemplate(db: Db, id: string): Promise<TemplateRow | undefined> {
  return db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
}

export function updateTemplate(
  db: Db,
  id: string,
  patch: Updateable<TemplatesTable>,
): Promise<TemplateRow | undefined> {
  return db
    .updateTable('templates')
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTemplate(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('templates').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export function templatesQuery(db: Db) {
  return db.selectFrom('templates').selectAll();
}
