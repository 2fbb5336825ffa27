/**
 * Recording a student's progress on a CBC competency (`competency.progress_recorded`), with the
 * caller as `assessed_by`. Staff and admin may assess anyone; an instructor may assess a student
 * actively enrolled in one of the courses they teach (403 otherwise). Every assessment is kept:
 * the list is the student's history, newest first.
 */
import { AppError } from '@portico/kit';
import type { CompetencyStatus } from '@portico/contracts';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import type { Viewer } from '../domain/access.ts';
import { COMPETENCY_PROGRESS_RECORDED, progressData } from '../events.ts';
import { findCompetency } from '../repository/catalogue.ts';
import { taughtBy } from '../repository/enrollments.ts';
import { findStudent } from '../repository/people.ts';
import { insertProgress } from '../repository/progress.ts';
import { actorId, publisher, type Actor } from './actor.ts';

export interface ProgressInput {
  student_id: string;
  competency_id: string;
  status: CompetencyStatus;
  proficiency_level: number;
  notes?: string | null | undefined;
}

export async function recordProgress(deps: Deps, actor: Actor, viewer: Viewer, input: ProgressInput) {
  const assessor = actorId(actor.caller);
  return deps.tx(async (trx) => {
    const student = await findStudent(trx, input.student_id);
    if (!student)
      throw new AppError('unknown_student', `Curriculum has not heard of student ${input.student_id} (yet)`, {
        errors: [
          { field: 'student_id', code: 'unknown_student', message: 'is not a student curriculum knows' },
        ],
      });
    const competency = await findCompetency(trx, input.competency_id);
    if (!competency)
      throw AppError.validation([
        { field: 'competency_id', code: 'not_found', message: `no competency ${input.competency_id}` },
      ]);
    if (!viewer.manager && !(await taughtBy(trx, student.id, viewer.staffIds)))
      throw new AppError(
        'forbidden',
        'Only staff, or an instructor of a course the student takes, may assess them',
      );
    const row = await insertProgress(trx, {
      id: uuidv7(),
      student_id: student.id,
      competency_id: competency.id,
      status: input.status,
      proficiency_level: input.proficiency_level,
      notes: input.notes ?? null,
      assessed_by: assessor,
    });
    await publisher(deps, trx)(
      COMPETENCY_PROGRESS_RECORDED,
      progressData(row, competency.code, student.user_id),
      row.id,
    );
    return row;
  });
}
