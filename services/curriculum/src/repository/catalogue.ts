/** SQL for the reference data courses build on: competencies and outcomes, generic skills, subjects, topics, subtopics. */
import { sql, type Insertable } from 'kysely';
import type { Db } from '../deps.ts';
import type { CurriculumDB } from '../tables.ts';
import { translateUnique } from '@portico/kit';

type Table = 'competencies' | 'learning_outcomes' | 'generic_skills' | 'subjects' | 'topics' | 'subtopics';

/** Inserts a row; a unique violation answers 409 naming `uniqueField`. */
export async function insertRow<T extends Table>(
  db: Db,
  table: T,
  values: Insertable<CurriculumDB[T]>,
  uniqueField = 'code',
) {
  return db
    .insertInto(table)
    .values(values as never)
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => translateUnique(err, table.replace(/s$/, '').replace('_', ' '), uniqueField));
}

export const findCompetency = (db: Db, id: string) =>
  db.selectFrom('competencies').selectAll().where('id', '=', id).executeTakeFirst();
export const findSubject = (db: Db, id: string) =>
  db.selectFrom('subjects').selectAll().where('id', '=', id).executeTakeFirst();
export const findTopic = (db: Db, id: string) =>
  db.selectFrom('topics').selectAll().where('id', '=', id).executeTakeFirst();

/** The next position at the end of an ordered list (when the caller gives no `order`). */
export async function nextPosition(
  db: Db,
  table: 'learning_outcomes' | 'topics' | 'subtopics',
  parentColumn: 'competency_id' | 'subject_id' | 'topic_id',
  parentId: string,
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max<number | null>('position').as('max'))
    .where(sql<boolean>`${sql.ref(parentColumn)} = ${parentId}`)
    .executeTakeFirst();
  return (row?.max ?? 0) + 1;
}
