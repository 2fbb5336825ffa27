import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpa, gradedCredits } from '../src/domain/gpa.ts';
import { changeEvent, containsPattern, isPlausibleBirthDate, sortSpec } from '../src/domain/student.ts';

describe('the profile GPA', () => {
  it.each([
    { name: 'no grades is 0.0', grades: [], expected: 0 },
    {
      name: 'a 3-credit A and a 4-credit C is (12 + 8) / 7 = 2.857 → 2.86',
      grades: [
        [4, 3],
        [2, 4],
      ],
      expected: 2.86,
    },
    { name: 'one course is its grade points', grades: [[3, 5]], expected: 3 },
    {
      name: 'all A is 4.0',
      grades: [
        [4, 3],
        [4, 1],
        [4, 6],
      ],
      expected: 4,
    },
    {
      name: 'all F is 0.0',
      grades: [
        [0, 3],
        [0, 4],
      ],
      expected: 0,
    },
    {
      name: 'credits weigh: a 1-credit F beside a 9-credit A is 3.6',
      grades: [
        [0, 1],
        [4, 9],
      ],
      expected: 3.6,
    },
    {
      name: 'a 0-credit course weighs nothing',
      grades: [
        [0, 0],
        [3, 4],
      ],
      expected: 3,
    },
    { name: 'only 0-credit courses is 0.0', grades: [[4, 0]], expected: 0 },
    {
      name: 'rounds half up: (4·1 + 3·1 + 3·1 + 3·1 + 3·1 + 3·1 + 3·1 + 3·1) / 8 = 3.125 → 3.13',
      grades: [
        [4, 1],
        [3, 1],
        [3, 1],
        [3, 1],
        [3, 1],
        [3, 1],
        [3, 1],
        [3, 1],
      ],
      expected: 3.13,
    },
    {
      name: 'rounds down below half: 10/3 = 3.333 → 3.33',
      grades: [
        [4, 1],
        [3, 1],
        [3, 1],
      ],
      expected: 3.33,
    },
  ])('$name', ({ grades, expected }) => {
    expect(
      gpa(grades.map(([grade_points, credits]) => ({ grade_points: grade_points!, credits: credits! }))),
    ).toBe(expected);
  });

  it('counts the credits it weighs over', () => {
    expect(
      gradedCredits([
        { grade_points: 4, credits: 3 },
        { grade_points: 2, credits: 4 },
        { grade_points: 1, credits: 0 },
      ]),
    ).toBe(7);
  });

  const course = fc.record({
    grade_points: fc.constantFrom(0, 1, 2, 3, 4),
    credits: fc.integer({ min: 0, max: 12 }),
  });

  it('is always between 0.0 and 4.0 with at most 2 decimals', () => {
    fc.assert(
      fc.property(fc.array(course, { maxLength: 40 }), (courses) => {
        const g = gpa(courses);
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual(4);
        expect(Math.round(g * 100) / 100).toBe(g);
      }),
    );
  });

  it('does not depend on the order of the grades', () => {
    fc.assert(
      fc.property(
        fc
          .array(course, { maxLength: 40 })
          .chain((cs) =>
            fc.tuple(
              fc.constant(cs),
              fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length }),
            ),
          ),
        ([courses, shuffled]) => {
          expect(gpa(shuffled)).toBe(gpa(courses));
        },
      ),
    );
  });

  it('lies between the lowest and highest grade points of the weighted courses', () => {
    fc.assert(
      fc.property(fc.array(course, { minLength: 1, maxLength: 40 }), (courses) => {
        const weighted = courses.filter((c) => c.credits > 0);
        fc.pre(weighted.length > 0);
        const points = weighted.map((c) => c.grade_points);
        const g = gpa(courses);
        expect(g).toBeGreaterThanOrEqual(Math.min(...points));
        expect(g).toBeLessThanOrEqual(Math.max(...points));
      }),
    );
  });

  it('never leaves the 0–4 scale even when given points outside it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            grade_points: fc.double({ min: -100, max: 100, noNaN: true }),
            credits: fc.integer({ min: 0, max: 10 }),
          }),
          { maxLength: 20 },
        ),
        (courses) => {
          const g = gpa(courses);
          expect(g >= 0 && g <= 4).toBe(true);
        },
      ),
    );
  });
});

describe('student rules', () => {
  it('maps each sort to a NOT NULL column and a direction', () => {
    expect(sortSpec('full_name')).toEqual({ column: 'name_key', direction: 'asc' });
    expect(sortSpec('-created_at')).toEqual({ column: 'created_at', direction: 'desc' });
    expect(sortSpec('-student_number')).toEqual({ column: 'student_number', direction: 'desc' });
  });

  it('calls a change to inactive a deactivation and anything else an update', () => {
    expect(changeEvent('active', 'inactive')).toBe('student.deactivated');
    expect(changeEvent('suspended', 'inactive')).toBe('student.deactivated');
    expect(changeEvent('inactive', 'inactive')).toBe('student.updated');
    expect(changeEvent('inactive', 'active')).toBe('student.updated');
    expect(changeEvent('active', 'graduated')).toBe('student.updated');
  });

  it.each([
    ['2010-04-17', true],
    ['2026-12-05', true],
    ['2026-12-06', false],
    ['2011-02-29', false],
    ['2012-02-29', true],
    ['1899-12-31', false],
    ['2010-4-17', false],
  ])('a date of birth %s is plausible: %s', (value, ok) => {
    expect(isPlausibleBirthDate(value, new Date('2026-12-05T23:00:00Z'))).toBe(ok);
  });

  it('escapes LIKE wildcards in a search', () => {
    expect(containsPattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});
