/**
 * curriculum — courses (generic, Kenyan CBC, British), enrolments with seats that hold under
 * concurrency, assessments and grades on three scales, CBC competencies and progress, British
 * subjects and topics, programmes and resources. Knows students and staff only from their
 * events. See README.md.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { CurriculumEvents } from '@portico/contracts';
import { staffDirectory, studentDirectory } from './consumers.ts';
import { CURRICULUM_EVENTS } from './events.ts';
import { assessmentRoutes } from './routes/assessments.ts';
import { competencyRoutes } from './routes/competencies.ts';
import { courseRoutes } from './routes/courses.ts';
import { enrollmentRoutes } from './routes/enrollments.ts';
import { gradeRoutes } from './routes/grades.ts';
import { progressRoutes } from './routes/competency-progress.ts';
import { programRoutes } from './routes/programs.ts';
import { resourceRoutes } from './routes/resources.ts';
import { subjectRoutes } from './routes/subjects.ts';
import type { CurriculumDB } from './tables.ts';

export default defineService<CurriculumDB, Record<string, unknown>, CurriculumEvents>({
  name: 'curriculum',
  version: '1.0.0',
  description:
    'Courses, enrolments, assessments and grades (letter, CBC, British), competencies, subjects, programmes.',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: CURRICULUM_EVENTS,
  consumers: [studentDirectory, staffDirectory],
  routes(app, deps) {
    competencyRoutes(app, deps);
    subjectRoutes(app, deps);
    courseRoutes(app, deps);
    enrollmentRoutes(app, deps);
    gradeRoutes(app, deps);
    assessmentRoutes(app, deps);
    progressRoutes(app, deps);
    programRoutes(app, deps);
    resourceRoutes(app, deps);
  },
});
