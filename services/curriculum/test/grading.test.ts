import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  defaultScale,
  gpa,
  gradeFor,
  gradeOf,
  gradePoints,
  percentage,
  weightedPercentage,
} from '../src/domain/grading.ts';

describe('grading scales at every boundary', () => {
  it.each([
    [100, 'A'],
    [90, 'A'],
    [89.99, 'B'],
    [80, 'B'],
    [79.99, 'C'],
    [70, 'C'],
    [69.99, 'D'],
    [60, 'D'],
    [59.99, 'F'],
    [0, 'F'],
  ])('letter: %s %% is %s', (pct, grade) => {
    expect(gradeFor('letter', pct)).toBe(grade);
  });

  it.each([
    [100, 'E'],
    [90, 'E'],
    [89.99, 'M'],
    [70, 'M'],
    [69.99, 'A'],
    [50, 'A'],
    [49.99, 'B'],
    [0, 'B'],
  ])('CBC: %s %% is %s', (pct, grade) => {
    expect(gradeFor('cbc', pct)).toBe(grade);
  });

  it('names the CBC bands Exceeding, Meeting, Approaching and Below expectations', () => {
    expect([95, 75, 55, 10].map((p) => gradeOf('cbc', p).label)).toEqual([
      'Exceeding expectations',
      'Meeting expectations',
      'Approaching expectations',
      'Below expectations',
    ]);
  });

  it.each([
    [100, 'A*'],
    [90, 'A*'],
    [89.99, 'A'],
    [80, 'A'],
    [79.99, 'B'],
    [70, 'B'],
    [69.99, 'C'],
    [60, 'C'],
    [59.99, 'D'],
    [50, 'D'],
    [49.99, 'E'],
    [40, 'E'],
    [39.99, 'U'],
    [0, 'U'],
  ])('British: %s %% is %s', (pct, grade) => {
    expect(gradeFor('british', pct)).toBe(grade);
  });

  it.each([
    [100, 4],
    [90, 4],
    [89.99, 3],
    [80, 3],
    [79.99, 2],
    [70, 2],
    [69.99, 1],
    [60, 1],
    [59.99, 0],
    [0, 0],
  ])('grade points: %s %% earns %s on every scale', (pct, points) => {
    expect(gradePoints(pct)).toBe(points);
    for (const scale of ['letter', 'cbc', 'british'] as const)
      expect(gradeOf(scale, pct).grade_points).toBe(points);
  });

  it('refuses percentages outside 0..100', () => {
    expect(() => gradeFor('letter', 100.01)).toThrow(RangeError);
    expect(() => gradeFor('letter', -0.01)).toThrow(RangeError);
    expect(() => gradePoints(Number.NaN)).toThrow(RangeError);
  });

  it('defaults the scale by framework: generic → letter, cbc → cbc, british → british', () => {
    expect([defaultScale('generic'), defaultScale('cbc'), defaultScale('british')]).toEqual([
      'letter',
      'cbc',
      'british',
    ]);
  });
});

describe('percentages', () => {
  it('is score / max_score × 100 and lands exactly on a boundary', () => {
    expect(percentage(7, 10)).toBe(70);
    expect(percentage(45, 50)).toBe(90);
    expect(percentage(0, 30)).toBe(0);
    expect(percentage(30, 30)).toBe(100);
    expect(percentage(1, 3)).toBeCloseTo(33.3333333, 6);
  });

  it('never divides by zero: max_score must be > 0', () => {
    expect(() => percentage(0, 0)).toThrow(RangeError);
    expect(() => percentage(1, -5)).toThrow(RangeError);
    expect(() => percentage(11, 10)).toThrow(RangeError);
  });

  it('weights assessments: Σ(pct × weight) / Σweight', () => {
    expect(
      weightedPercentage([
        { percentage: 80, weight: 1 },
        { percentage: 100, weight: 3 },
      ]),
    ).toBe(95);
    expect(weightedPercentage([])).toBeNull();
  });

  it('a weighted percentage stays within the parts it weighs', () => {
    const part = fc.record({
      percentage: fc.double({ min: 0, max: 100, noNaN: true }),
      weight: fc.double({ min: 0.01, max: 1000, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 20 }), (parts) => {
        const w = weightedPercentage(parts)!;
        const pcts = parts.map((p) => p.percentage);
        return w >= Math.min(...pcts) - 1e-6 && w <= Math.max(...pcts) + 1e-6;
      }),
    );
  });
});

describe('GPA', () => {
  it('weights by credits: a 3-credit A and a 4-credit C give 2.86', () => {
    expect(
      gpa([
        { credits: 3, grade_points: gradePoints(93) },
        { credits: 4, grade_points: gradePoints(72) },
      ]),
    ).toBe(2.86);
  });

  it('is 0.0 with no grades and 4.0 with all top grades (never 5.0)', () => {
    expect(gpa([])).toBe(0);
    expect(gpa([{ credits: 3, grade_points: gradePoints(100) }])).toBe(4);
    expect(gpa([{ credits: 0, grade_points: 4 }])).toBe(0);
  });

  const grade = fc.record({
    credits: fc.integer({ min: 0, max: 30 }),
    grade_points: fc.integer({ min: 0, max: 4 }),
  });

  it('always lies within 0..4 and has at most 2 decimals', () => {
    fc.assert(
      fc.property(fc.array(grade, { maxLength: 60 }), (grades) => {
        const g = gpa(grades);
        return g >= 0 && g <= 4 && Math.abs(g * 100 - Math.round(g * 100)) < 1e-9;
      }),
    );
  });

  it('does not depend on the order of the grades', () => {
    fc.assert(
      fc.property(
        fc
          .array(grade, { maxLength: 60 })
          .chain((gs) => fc.tuple(fc.constant(gs), fc.shuffledSubarray(gs, { minLength: gs.length }))),
        ([grades, shuffled]) => gpa(grades) === gpa(shuffled),
      ),
    );
  });

  it('from any percentages on any scale stays within 0..4', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            credits: fc.integer({ min: 1, max: 10 }),
            pct: fc.double({ min: 0, max: 100, noNaN: true }),
          }),
          {
            maxLength: 30,
          },
        ),
        (rows) => {
          const g = gpa(rows.map((r) => ({ credits: r.credits, grade_points: gradePoints(r.pct) })));
          return g >= 0 && g <= 4;
        },
      ),
    );
  });
});
