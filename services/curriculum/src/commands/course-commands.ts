/**
 * Creating and changing courses, and moving them through draft → published → archived
 * (`course.published` on publish). References are checked in the same transaction.
 */
import { AppError } from '@portico/kit';
import type { CourseFramework, GradingScale } from '@portico/contracts';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { nextStatus, publishProblems, type CourseAction } from '../domain/course-lifecycle.ts';
import { defaultScale } from '../domain/grading.ts';
import { COURSE_PUBLISHED, coursePublishedData } from '../events.ts';
import { jsonb } from '@portico/kit';
import { findCourse, insertCourse, updateCourse, type CoursePatch } from '../repository/courses.ts';
import type { CourseRow } from '../tables.ts';
import { publisher } from './actor.ts';
import { checkCompetencies, checkInstructor, checkSubject, failIf } from './references.ts';

export interface CourseInput {
  code: string;
  title: string;
  description?: string | null | undefined;
  credits: number;
  capacity: number;
  framework: CourseFramework;
  grading_scale?: GradingScale | undefined;
  instructor_id?: string | null | undefined;
  term?: string | null | undefined;
  subject_id?: string | null | undefined;
  competency_ids?: string[] | undefined;
  self_enrollment?: boolean | undefined;
}

export type CourseChanges = Partial<Omit<CourseInput, 'code' | 'framework'>>;

function duplicates(ids: readonly string[], field: string) {
  return ids.flatMap((id, i) =>
    ids.indexOf(id) !== i
      ? [{ field: `${field}[${i}]`, code: 'duplicate', message: `${id} is listed twice` }]
      : [],
  );
}

export async function createCourse(deps: Deps, input: CourseInput): Promise<CourseRow> {
  const competencyIds = input.competency_ids ?? [];
  return deps.tx(async (trx) => {
    const errors = [
      ...duplicates(competencyIds, 'competency_ids'),
      ...(await checkCompetencies(trx, competencyIds)),
    ];
    if (input.framework === 'british' && !input.subject_id)
      errors.push({
        field: 'subject_id',
        code: 'required',
        message: 'a British course belongs to a subject',
      });
    errors.push(...(await checkSubject(trx, input.subject_id)));
    failIf(errors);
    await checkInstructor(trx, input.instructor_id);
    return insertCourse(trx, {
      id: uuidv7(),
      code: input.code,
      title: input.title,
      description: input.description ?? null,
      credits: input.credits,
      capacity: input.capacity,
      framework: input.framework,
      grading_scale: input.grading_scale ?? defaultScale(input.framework),
      instructor_id: input.instructor_id ?? null,
      term: input.term ?? null,
      subject_id: input.subject_id ?? null,
      competency_ids: jsonb(competencyIds),
      self_enrollment: input.self_enrollment ?? false,
      published_at: null,
      archived_at: null,
    });
  });
}

export async function changeCourse(deps: Deps, id: string, input: CourseChanges): Promise<CourseRow> {
  return deps.tx(async (trx) => {
    const course = await findCourse(trx, id, { forUpdate: true });
    if (!course) throw AppError.notFound('Course');
    if (course.status === 'archived')
      throw new AppError('invalid_state', 'An archived course cannot be changed');
    const errors = [];
    if (input.capacity !== undefined && input.capacity < course.enrolled)
      errors.push({
        field: 'capacity',
        code: 'out_of_range',
        message: `must be at least the ${course.enrolled} students already enrolled`,
      });
    if (input.competency_ids !== undefined) {
      errors.push(...duplicates(input.competency_ids, 'competency_ids'));
      errors.push(...(await checkCompetencies(trx, input.competency_ids)));
      if (course.framework === 'cbc' && course.status === 'published' && input.competency_ids.length === 0)
        errors.push({
          field: 'competency_ids',
          code: 'required',
          message: 'a published CBC course keeps ≥ 1 competency',
        });
    }
    if (input.subject_id !== undefined) {
      if (course.framework === 'british' && input.subject_id === null)
        errors.push({
          field: 'subject_id',
          code: 'required',
          message: 'a British course belongs to a subject',
        });
      errors.push(...(await checkSubject(trx, input.subject_id)));
    }
    failIf(errors);
    if (input.instructor_id !== undefined) await checkInstructor(trx, input.instructor_id);
    const patch: CoursePatch = {};
    for (const key of [
      'title',
      'description',
      'credits',
      'capacity',
      'grading_scale',
      'instructor_id',
      'term',
      'subject_id',
      'self_enrollment',
    ] as const) {
      if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
    }
    if (input.competency_ids !== undefined) patch.competency_ids = jsonb(input.competency_ids);
    return updateCourse(trx, id, patch);
  });
}

/** POST /courses/{id}/publish and /archive. */
export async function moveCourse(deps: Deps, id: string, action: CourseAction): Promise<CourseRow> {
  return deps.tx(async (trx) => {
    const course = await findCourse(trx, id, { forUpdate: true });
    if (!course) throw AppError.notFound('Course');
    const to = nextStatus(course.status, action);
    if (to === null)
      throw new AppError(
        'invalid_state',
        `A ${course.status} course cannot be ${action === 'publish' ? 'published' : 'archived'}`,
      );
    if (action === 'publish') {
      failIf(publishProblems(course));
      const next = await updateCourse(trx, id, { status: to, published_at: new Date() });
      await publisher(deps, trx)(COURSE_PUBLISHED, coursePublishedData(next), next.id);
      return next;
    }
    return updateCourse(trx, id, { status: to, archived_at: new Date() });
  });
}
