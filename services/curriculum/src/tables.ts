/** The service's tables, as Kysely sees them (see migrations/). */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { Jsonb } from '@portico/kit';
import type { CompetencyStatus, CourseFramework, GradingScale } from '@portico/contracts';
import type { BritishLevel } from './domain/british.ts';
import type { LearningArea, Pillar } from './domain/cbc.ts';
import type { ResourceType } from './domain/resource.ts';

type CreatedAt = Generated<Date>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export type CourseStatus = 'draft' | 'published' | 'archived';
export type EnrollmentStatus = 'active' | 'dropped';

export interface KnownPersonTable {
  id: string;
  user_id: string | null;
  status: string;
  event_time: ColumnType<Date, Date, Date>;
  updated_at: UpdatedAt;
}

export interface SubjectTable {
  id: string;
  code: string;
  name: string;
  level: BritishLevel;
  exam_board: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CompetencyTable {
  id: string;
  code: string;
  title: string;
  learning_area: LearningArea;
  pillar: Pillar | null;
  core: Generated<boolean>;
  proficiency_levels: ColumnType<string[] | null, string | null, string | null>;
  description: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CourseTable {
  id: string;
  code: string;
  title: string;
  description: string | null;
  credits: number;
  capacity: number;
  enrolled: Generated<number>;
  framework: CourseFramework;
  grading_scale: GradingScale;
  instructor_id: string | null;
  term: string | null;
  subject_id: string | null;
  competency_ids: Jsonb<string[]>;
  self_enrollment: Generated<boolean>;
  status: Generated<CourseStatus>;
  published_at: Date | null;
  archived_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EnrollmentTable {
  id: string;
  student_id: string;
  course_id: string;
  status: Generated<EnrollmentStatus>;
  score: number | null;
  grade: string | null;
  grade_points: number | null;
  graded_at: Date | null;
  graded_by: string | null;
  dropped_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AssessmentTable {
  id: string;
  course_id: string;
  title: string;
  kind: 'formative' | 'summative' | 'diagnostic';
  max_score: number;
  weight: number;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SubmissionTable {
  id: string;
  assessment_id: string;
  enrollment_id: string;
  student_id: string;
  score: number;
  percentage: number;
  recorded_by: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface LearningOutcomeTable {
  id: string;
  competency_id: string;
  description: string;
  position: number;
  created_at: CreatedAt;
}

export interface GenericSkillTable {
  id: string;
  name: string;
  description: string;
  created_at: CreatedAt;
}

export interface CompetencyProgressTable {
  id: string;
  student_id: string;
  competency_id: string;
  status: CompetencyStatus;
  proficiency_level: number;
  notes: string | null;
  assessed_by: string;
  created_at: CreatedAt;
}

export interface TopicTable {
  id: string;
  subject_id: string;
  title: string;
  position: number;
  objectives: Jsonb<string[]>;
  created_at: CreatedAt;
}

export interface SubtopicTable {
  id: string;
  topic_id: string;
  title: string;
  position: number;
  objectives: Jsonb<string[]>;
  created_at: CreatedAt;
}

export interface ProgramTable {
  id: string;
  name: string;
  framework: CourseFramework;
  level: string;
  academic_year: string;
  course_ids: Jsonb<string[]>;
  created_at: CreatedAt;
}

export interface ResourceTable {
  id: string;
  course_id: string;
  title: string;
  type: ResourceType;
  url: string;
  created_at: CreatedAt;
}

export interface CurriculumDB {
  known_students: KnownPersonTable;
  known_staff: KnownPersonTable;
  subjects: SubjectTable;
  competencies: CompetencyTable;
  courses: CourseTable;
  enrollments: EnrollmentTable;
  assessments: AssessmentTable;
  submissions: SubmissionTable;
  learning_outcomes: LearningOutcomeTable;
  generic_skills: GenericSkillTable;
  competency_progress: CompetencyProgressTable;
  topics: TopicTable;
  subtopics: SubtopicTable;
  programs: ProgramTable;
  resources: ResourceTable;
}

export type KnownPersonRow = Selectable<KnownPersonTable>;
export type SubjectRow = Selectable<SubjectTable>;
export type CompetencyRow = Selectable<CompetencyTable>;
export type CourseRow = Selectable<CourseTable>;
export type NewCourse = Insertable<CourseTable>;
export type EnrollmentRow = Selectable<EnrollmentTable>;
export type AssessmentRow = Selectable<AssessmentTable>;
export type SubmissionRow = Selectable<SubmissionTable>;
export type LearningOutcomeRow = Selectable<LearningOutcomeTable>;
export type GenericSkillRow = Selectable<GenericSkillTable>;
export type CompetencyProgressRow = Selectable<CompetencyProgressTable>;
export type TopicRow = Selectable<TopicTable>;
export type SubtopicRow = Selectable<SubtopicTable>;
export type ProgramRow = Selectable<ProgramTable>;
export type ResourceRow = Selectable<ResourceTable>;
