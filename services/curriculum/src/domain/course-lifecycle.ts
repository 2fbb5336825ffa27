/**
 * A course's life: draft → published → archived, nothing else. What a course needs before it
 * may be published depends on its framework: a CBC course names ≥ 1 competency, a British one
 * belongs to a subject. Pure: the command loads, this decides.
 */
import type { FieldError } from '@portico/kit';
import type { CourseFramework } from '@portico/contracts';
import type { CourseStatus } from '../tables.ts';

export const COURSE_STATUSES = ['draft', 'published', 'archived'] as const satisfies readonly CourseStatus[];
export type CourseAction = 'publish' | 'archive';

const TRANSITIONS: Record<CourseAction, { from: CourseStatus; to: CourseStatus }> = {
  publish: { from: 'draft', to: 'published' },
  archive: { from: 'published', to: 'archived' },
};

/** The status `action` leads to from `from`, or null when it is not allowed (409 invalid_state). */
export function nextStatus(from: CourseStatus, action: CourseAction): CourseStatus | null {
  const t = TRANSITIONS[action];
  return t.from === from ? t.to : null;
}

/** Why a course may not be published yet (empty when it may). */
export function publishProblems(course: {
  framework: CourseFramework;
  competency_ids: readonly string[];
  subject_id: string | null;
}): FieldError[] {
  const problems: FieldError[] = [];
  if (course.framework === 'cbc' && course.competency_ids.length === 0)
    problems.push({
      field: 'competency_ids',
      code: 'required',
      message: 'a CBC course needs at least one competency before it is published',
    });
  if (course.framework === 'british' && course.subject_id === null)
    problems.push({
      field: 'subject_id',
      code: 'required',
      message: 'a British course belongs to a subject',
    });
  return problems;
}
