/**
 * The Kenyan Competency-Based Curriculum's fixed vocabularies: its 8 learning areas, its 7 core
 * competencies (the "pillars"), and the progress a learner makes on a competency.
 */
import type { CompetencyStatus } from '@portico/contracts';

export const LEARNING_AREAS = [
  'languages',
  'mathematics',
  'science_technology',
  'social_studies',
  'business_studies',
  'agricultural_sciences',
  'visual_performing_arts',
  'physical_health_education',
] as const;

export const PILLARS = [
  'communication_collaboration',
  'critical_thinking_problem_solving',
  'imagination_creativity',
  'citizenship',
  'digital_literacy',
  'learning_to_learn',
  'self_efficacy',
] as const;

export type LearningArea = (typeof LEARNING_AREAS)[number];
export type Pillar = (typeof PILLARS)[number];

/** not_started → in_progress → achieved → mastered. */
export const COMPETENCY_STATUSES = [
  'not_started',
  'in_progress',
  'achieved',
  'mastered',
] as const satisfies readonly CompetencyStatus[];

/** Proficiency levels 1 (below expectations) … 4 (exceeding). */
export const PROFICIENCY_MIN = 1;
export const PROFICIENCY_MAX = 4;
