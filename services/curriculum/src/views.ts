/** Rows → the public JSON shapes (RFC 3339 times, links to related resources). */
import { bandFor } from './domain/grading.ts';
import type {
  AssessmentRow,
  CompetencyProgressRow,
  CompetencyRow,
  CourseRow,
  EnrollmentRow,
  GenericSkillRow,
  LearningOutcomeRow,
  ProgramRow,
  ResourceRow,
  SubjectRow,
  SubmissionRow,
  SubtopicRow,
  TopicRow,
} from './tables.ts';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function courseView(c: CourseRow) {
  return {
    id: c.id,
    code: c.code,
    title: c.title,
    description: c.description,
    credits: c.credits,
    capacity: c.capacity,
    enrolled: c.enrolled,
    seats_available: c.capacity - c.enrolled,
    framework: c.framework,
    grading_scale: c.grading_scale,
    instructor_id: c.instructor_id,
    term: c.term,
    subject_id: c.subject_id,
    competency_ids: c.competency_ids,
    self_enrollment: c.self_enrollment,
    status: c.status,
    published_at: iso(c.published_at),
    archived_at: iso(c.archived_at),
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
    links: {
      self: `/api/v1/courses/${c.id}`,
      enrollments: `/api/v1/enrollments?course_id=${c.id}`,
      assessments: `/api/v1/courses/${c.id}/assessments`,
      resources: `/api/v1/courses/${c.id}/resources`,
    },
  };
}

function gradeView(e: EnrollmentRow, course?: Pick<CourseRow, 'grading_scale' | 'credits'>) {
  if (e.score === null || e.grade === null || e.grade_points === null) return null;
  return {
    score: e.score,
    grade: e.grade,
    label: course ? bandFor(course.grading_scale, e.score).label : e.grade,
    grade_points: e.grade_points,
    scale: course?.grading_scale ?? null,
    credits: course?.credits ?? null,
    graded_at: iso(e.graded_at),
    graded_by: e.graded_by,
  };
}

export function enrollmentView(e: EnrollmentRow, course?: Pick<CourseRow, 'grading_scale' | 'credits'>) {
  return {
    id: e.id,
    student_id: e.student_id,
    course_id: e.course_id,
    status: e.status,
    grade: gradeView(e, course),
    dropped_at: iso(e.dropped_at),
    created_at: e.created_at.toISOString(),
    updated_at: e.updated_at.toISOString(),
    links: { self: `/api/v1/enrollments/${e.id}`, course: `/api/v1/courses/${e.course_id}` },
  };
}

export function assessmentView(a: AssessmentRow) {
  return {
    id: a.id,
    course_id: a.course_id,
    title: a.title,
    kind: a.kind,
    max_score: a.max_score,
    weight: a.weight,
    created_at: a.created_at.toISOString(),
    updated_at: a.updated_at.toISOString(),
    links: { self: `/api/v1/assessments/${a.id}`, submissions: `/api/v1/assessments/${a.id}/submissions` },
  };
}

export function submissionView(s: SubmissionRow) {
  return {
    id: s.id,
    assessment_id: s.assessment_id,
    enrollment_id: s.enrollment_id,
    student_id: s.student_id,
    score: s.score,
    percentage: s.percentage,
    recorded_by: s.recorded_by,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
  };
}

export function competencyView(c: CompetencyRow) {
  return {
    id: c.id,
    code: c.code,
    title: c.title,
    learning_area: c.learning_area,
    pillar: c.pillar,
    core: c.core,
    proficiency_levels: c.proficiency_levels,
    description: c.description,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
    links: { self: `/api/v1/competencies/${c.id}`, outcomes: `/api/v1/competencies/${c.id}/outcomes` },
  };
}

export function outcomeView(o: LearningOutcomeRow) {
  return {
    id: o.id,
    competency_id: o.competency_id,
    description: o.description,
    order: o.position,
    created_at: o.created_at.toISOString(),
  };
}

export function genericSkillView(g: GenericSkillRow) {
  return { id: g.id, name: g.name, description: g.description, created_at: g.created_at.toISOString() };
}

export function progressView(p: CompetencyProgressRow) {
  return {
    id: p.id,
    student_id: p.student_id,
    competency_id: p.competency_id,
    status: p.status,
    proficiency_level: p.proficiency_level,
    notes: p.notes,
    assessed_by: p.assessed_by,
    created_at: p.created_at.toISOString(),
  };
}

export function subjectView(s: SubjectRow) {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    level: s.level,
    exam_board: s.exam_board,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
    links: { self: `/api/v1/subjects/${s.id}`, topics: `/api/v1/subjects/${s.id}/topics` },
  };
}

export function topicView(t: TopicRow) {
  return {
    id: t.id,
    subject_id: t.subject_id,
    title: t.title,
    order: t.position,
    objectives: t.objectives,
    created_at: t.created_at.toISOString(),
    links: { subtopics: `/api/v1/topics/${t.id}/subtopics` },
  };
}

export function subtopicView(t: SubtopicRow) {
  return {
    id: t.id,
    topic_id: t.topic_id,
    title: t.title,
    order: t.position,
    objectives: t.objectives,
    created_at: t.created_at.toISOString(),
  };
}

export function programView(p: ProgramRow) {
  return {
    id: p.id,
    name: p.name,
    framework: p.framework,
    level: p.level,
    academic_year: p.academic_year,
    course_ids: p.course_ids,
    created_at: p.created_at.toISOString(),
    links: { self: `/api/v1/programs/${p.id}` },
  };
}

export function resourceView(r: ResourceRow) {
  return {
    id: r.id,
    course_id: r.course_id,
    title: r.title,
    type: r.type,
    url: r.url,
    created_at: r.created_at.toISOString(),
  };
}
