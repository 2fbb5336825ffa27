/**
 * The profile's grade point average: credit-weighted over the courses that have a grade,
 * GPA = Σ(points × credits) / Σ(credits), rounded half-up to 2 decimals; 0.0 with no graded
 * credits. Grade points come from curriculum (4/3/2/1/0 — its grading module owns the scales);
 * this module only averages them, so it stays a tiny pure function.
 *
 * @example
 *   gpa([{ grade_points: 4, credits: 3 }, { grade_points: 2, credits: 4 }]); // (12 + 8) / 7 → 2.86
 */

export interface GradedCourse {
  /** 0–4. */
  grade_points: number;
  /** ≥ 0; a 0-credit course is shown but weighs nothing. */
  credits: number;
}

export const MAX_GRADE_POINTS = 4;

export function gpa(courses: readonly GradedCourse[]): number {
  let points = 0;
  let credits = 0;
  for (const c of courses) {
    if (!(c.credits > 0)) continue;
    // Clamped so a malformed event can never push the average off the 0–4 scale.
    const p = Math.min(MAX_GRADE_POINTS, Math.max(0, c.grade_points));
    points += p * c.credits;
    credits += c.credits;
  }
  if (credits === 0) return 0;
  // One division then round: for integer points and credits the quotient ×100 is exact when
  // it ends in .5, so this rounds half up (2.855 → 2.86), where toFixed would not.
  const rounded = Math.round((points * 100) / credits) / 100;
  return Math.min(MAX_GRADE_POINTS, Math.max(0, rounded));
}

/** Σ credits of the courses that count toward the GPA. */
export function gradedCredits(courses: readonly GradedCourse[]): number {
  return courses.reduce((sum, c) => sum + (c.credits > 0 ? c.credits : 0), 0);
}
