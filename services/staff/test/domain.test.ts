import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currentSalary, utcToday } from '../src/domain/salary.ts';
import { datesInOrder, daysCovered, decide, overlaps } from '../src/domain/absence.ts';
import { decideAbsenceAccess, fileAbsenceAccess, type Viewer } from '../src/domain/access.ts';

const s = (id: string, effective_date: string) => ({ id, effective_date });

describe('currentSalary', () => {
  const today = '2026-12-05';
  it.each([
    { name: 'no salaries → null', list: [], want: null },
    { name: 'only a future-dated salary → null', list: [s('a', '2026-12-06')], want: null },
    { name: 'effective today counts', list: [s('a', '2026-12-05')], want: 'a' },
    {
      name: 'the latest effective date not in the future',
      list: [s('a', '2025-01-01'), s('b', '2026-06-01'), s('c', '2027-01-01')],
      want: 'b',
    },
    {
      name: 'the same day twice: the later recorded wins',
      list: [s('b', '2026-06-01'), s('a', '2026-06-01')],
      want: 'b',
    },
  ])('$name', ({ list, want }) => {
    expect(currentSalary(list, today)?.id ?? null).toBe(want);
  });

  it('today is the UTC calendar day', () => {
    expect(utcToday(new Date('2026-12-05T23:59:59.999Z'))).toBe('2026-12-05');
    expect(utcToday(new Date('2026-12-06T00:00:00.000Z'))).toBe('2026-12-06');
  });

  const day = fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2040-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));
  const salaries = fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 20 })
    .chain((ids) => fc.tuple(...ids.map((id) => day.map((d) => s(id, d)))));

  it('property: the choice is never future-dated, no other eligible salary beats it, and order does not matter', () => {
    fc.assert(
      fc.property(salaries, day, (list, today) => {
        const got = currentSalary(list, today);
        const eligible = list.filter((x) => x.effective_date <= today);
        if (eligible.length === 0) return got === null;
        expect(got).not.toBeNull();
        expect(got!.effective_date <= today).toBe(true);
        for (const x of eligible) {
          expect(
            x.effective_date < got!.effective_date ||
              (x.effective_date === got!.effective_date && x.id <= got!.id),
          ).toBe(true);
        }
        expect(currentSalary([...list].reverse(), today)).toBe(got);
        return true;
      }),
    );
  });
});

describe('absence rules', () => {
  const r = (start_date: string, end_date: string) => ({ start_date, end_date });

  it('dates are in order when the end is on or after the start', () => {
    expect(datesInOrder(r('2026-01-02', '2026-01-02'))).toBe(true);
    expect(datesInOrder(r('2026-01-02', '2026-01-03'))).toBe(true);
    expect(datesInOrder(r('2026-01-02', '2026-01-01'))).toBe(false);
  });

  it.each([
    [r('2026-01-01', '2026-01-05'), r('2026-01-05', '2026-01-09'), true],
    [r('2026-01-01', '2026-01-05'), r('2026-01-06', '2026-01-09'), false],
    [r('2026-01-03', '2026-01-03'), r('2026-01-01', '2026-01-09'), true],
  ])('overlaps(%o, %o) = %s', (a, b, want) => {
    expect(overlaps(a, b)).toBe(want);
    expect(overlaps(b, a)).toBe(want);
  });

  it('counts calendar days with both ends included, across a leap day', () => {
    expect(daysCovered(r('2028-02-28', '2028-03-01'))).toBe(3);
    expect(daysCovered(r('2026-05-01', '2026-05-01'))).toBe(1);
  });

  it('decides only a pending absence, once', () => {
    expect(decide('pending', 'approve')).toBe('approved');
    expect(decide('pending', 'reject')).toBe('rejected');
    for (const done of ['approved', 'rejected'] as const) {
      expect(decide(done, 'approve')).toBeNull();
      expect(decide(done, 'reject')).toBeNull();
    }
  });
});

describe('absence access', () => {
  const plain: Viewer = {
    userId: 'u1',
    readsDirectory: true,
    readsSalaries: false,
    managesAbsences: false,
    decidesAbsences: false,
  };
  const admin: Viewer = { ...plain, readsSalaries: true, managesAbsences: true, decidesAbsences: true };
  const mine = { user_id: 'u1' };
  const theirs = { user_id: 'u2' };

  it('nobody decides their own absence, not an admin, not a head', () => {
    expect(decideAbsenceAccess(admin, mine, false)).toBe('forbidden');
    expect(decideAbsenceAccess(plain, mine, true)).toBe('forbidden');
    expect(decideAbsenceAccess(plain, mine, false)).toBe('forbidden');
  });

  it('an admin or the head decides another person’s; a plain colleague does not even see it', () => {
    expect(decideAbsenceAccess(admin, theirs, false)).toBe('ok');
    expect(decideAbsenceAccess(plain, theirs, true)).toBe('ok');
    expect(decideAbsenceAccess(plain, theirs, false)).toBe('not_found');
  });

  it('files for oneself or as an admin; a head sees but may not file for someone', () => {
    expect(fileAbsenceAccess(plain, mine, false)).toBe('ok');
    expect(fileAbsenceAccess(admin, theirs, false)).toBe('ok');
    expect(fileAbsenceAccess(plain, theirs, true)).toBe('forbidden');
    expect(fileAbsenceAccess(plain, theirs, false)).toBe('not_found');
  });
});
