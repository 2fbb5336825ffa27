/**
 * Grading, in one pure module: the three scales a course can use (letter, Kenyan CBC, British),
 * grade points on the 4.0 scale and the credit-weighted GPA. Every number that reaches a
 * student's transcript goes through here, so the boundaries are table-tested and the GPA is
 * property-tested (test/grading.test.ts).
 *
 * @example
 *   gradeFor('british', percentage(45, 50)); // 'A*' (90 %)
 *   gpa([{ credits: 3, grade_points: 4 }, { credits: 4, grade_points: 2 }]); // 2.86
 */
import type { CourseFramework, GradingScale } from '@portico/contracts';

export const GRADING_SCALES = ['letter', 'cbc', 'british'] as const satisfies readonly GradingScale[];
export const FRAMEWORKS = ['generic', 'cbc', 'british'] as const satisfies readonly CourseFramework[];

export interface Band {
  /** The lowest percentage (inclusive) that earns this grade. */
  min: number;
  grade: string;
  label: string;
}

/** Each scale's bands, best first; the last band (min 0) catches everything below. */
export const SCALE_BANDS: Record<GradingScale, readonly Band[]> = {
  letter: [
    { min: 90, grade: 'A', label: 'A' },
    { min: 80, grade: 'B', label: 'B' },
    { min: 70, grade: 'C', label: 'C' },
    { min: 60, grade: 'D', label: 'D' },
    { min: 0, grade: 'F', label: 'F' },
  ],
  cbc: [
    { min: 90, grade: 'E', label: 'Exceeding expectations' },
    { min: 70, grade: 'M', label: 'Meeting expectations' },
    { min: 50, grade: 'A', label: 'Approaching expectations' },
    { min: 0, grade: 'B', label: 'Below expectations' },
  ],
  british: [
    { min: 90, grade: 'A*', label: 'A*' },
    { min: 80, grade: 'A', label: 'A' },
    { min: 70, grade: 'B', label: 'B' },
    { min: 60, grade: 'C', label: 'C' },
    { min: 50, grade: 'D', label: 'D' },
    { min: 40, grade: 'E', label: 'E' },
    { min: 0, grade: 'U', label: 'Ungraded' },
  ],
};

/** Grade points come from the same 90/80/70/60 bands whatever the course's scale. */
const POINT_BANDS: readonly { min: number; points: number }[] = [
  { min: 90, points: 4 },
  { min: 80, points: 3 },
  { min: 70, points: 2 },
  { min: 60, points: 1 },
  { min: 0, points: 0 },
];

/** The scale a course uses unless it names another. */
export function defaultScale(framework: CourseFramework): GradingScale {
  return framework === 'generic' ? 'letter' : framework;
}

function checkPercentage(pct: number): void {
  if (!Number.isFinite(pct) || pct < 0 || pct > 100)
    throw new RangeError(`a percentage must be within 0..100, got ${pct}`);
}

/** The band a percentage (0–100) falls in on `scale`. */
export function bandFor(scale: GradingScale, pct: number): Band {
  checkPercentage(pct);
  const band = SCALE_BANDS[scale].find((b) => pct >= b.min);
  // Unreachable: every scale ends with a min-0 band and pct >= 0.
  if (!band) throw new RangeError(`no band for ${pct} on ${scale}`);
  return band;
}

export function gradeFor(scale: GradingScale, pct: number): string {
  return bandFor(scale, pct).grade;
}

export function gradePoints(pct: number): number {
  checkPercentage(pct);
  return POINT_BANDS.find((b) => pct >= b.min)!.points;
}

/**
 * score / max_score × 100. Computed as score × 100 / max (7 × 100 / 10 is exactly 70, while
 * 7 / 10 × 100 is 70.00000000000001) and cleaned of binary noise at 1e-9, so a score exactly on a
 * boundary lands on it.
 */
export function percentage(score: number, maxScore: number): number {
  if (!(maxScore > 0)) throw new RangeError('max_score must be > 0');
  if (!(score >= 0 && score <= maxScore)) throw new RangeError('score must be within 0..max_score');
  return clean((score * 100) / maxScore);
}

const clean = (x: number) => Math.round(x * 1e9) / 1e9;

export interface WeightedPart {
  /** 0–100. */
  percentage: number;
  /** > 0. */
  weight: number;
}

/** Σ(pct × weight) / Σweight, or null when there is nothing to weigh. */
export function weightedPercentage(parts: readonly WeightedPart[]): number | null {
  let total = 0;
  let weights = 0;
  for (const p of parts) {
    checkPercentage(p.percentage);
    if (!(p.weight > 0)) throw new RangeError('a weight must be > 0');
    total += p.percentage * p.weight;
    weights += p.weight;
  }
  if (weights === 0) return null;
  return Math.min(100, Math.max(0, clean(total / weights)));
}

export interface GradedCredit {
  credits: number;
  grade_points: number;
}

/**
 * Credit-weighted mean of grade points, rounded to 2 decimals: 0.0 with no grades (or no
 * credits), never above 4.0. Credits and points are integers, so the sums are exact and the
 * result does not depend on the order of the grades.
 */
export function gpa(grades: readonly GradedCredit[]): number {
  let points = 0;
  let credits = 0;
  for (const g of grades) {
    if (!Number.isInteger(g.credits) || g.credits < 0) throw new RangeError('credits must be an integer ≥ 0');
    if (!Number.isInteger(g.grade_points) || g.grade_points < 0 || g.grade_points > 4)
      throw new RangeError('grade points must be an integer within 0..4');
    points += g.grade_points * g.credits;
    credits += g.credits;
  }
  if (credits === 0) return 0;
  return Math.min(4, Math.round((points / credits) * 100) / 100);
}

/** Everything a recorded grade carries, from a percentage on a scale. */
export function gradeOf(scale: GradingScale, pct: number) {
  const band = bandFor(scale, pct);
  return { score: clean(pct), grade: band.grade, label: band.label, grade_points: gradePoints(pct), scale };
}
