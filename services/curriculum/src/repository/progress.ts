/** SQL for competency progress (a history: one row per assessment). */
import type { Insertable } from 'kysely';
import type { Db } from '../deps.ts';
import type { CompetencyProgressRow, CompetencyProgressTable } from '../tables.ts';

export async function insertProgress(
  db: Db,
  values: Insertable<CompetencyProgressTable>,
): Promise<CompetencyProgressRow> {
  return db.insertInto('competency_progress').values(values).returningAll().executeTakeFirstOrThrow();
}

export function progressOf(db: Db, studentId: string, competencyId?: string) {
  let q = db.selectFrom('competency_progress').selectAll().where('student_id', '=', studentId);
  if (competencyId) q = q.where('competency_id', '=', competencyId);
  return q;
}
