/** The shared rate-limit table and the merge of worker metrics, without threads. */
import { describe, expect, it } from 'vitest';
import {
  allocateSharedWindows,
  SharedWindows,
  SharedWindowsFullError,
} from '../src/workers/shared-windows.ts';
import { mergeMetrics } from '../src/workers/metrics-merge.ts';

describe('shared windows', () => {
  it('counts per key, resets when the window ends, and two views of one buffer count together', () => {
    const buffer = allocateSharedWindows(64);
    const a = new SharedWindows(buffer);
    const b = new SharedWindows(buffer);
    expect(a.hit('k1', 1000, 0)).toEqual({ count: 1, resetAt: 1000 });
    expect(b.hit('k1', 1000, 10)).toEqual({ count: 2, resetAt: 1000 });
    expect(a.hit('k2', 1000, 10).count).toBe(1);
    expect(b.hit('k1', 1000, 1000)).toEqual({ count: 1, resetAt: 2000 });
  });

  it('throws when every probed slot holds a live window of another key, and reuses ended ones', () => {
    const w = new SharedWindows(allocateSharedWindows(32));
    for (let i = 0; i < 32; i++) w.hit(`key-${i}`, 1000, 0);
    expect(() => w.hit('one-more', 1000, 0)).toThrow(SharedWindowsFullError);
    expect(w.hit('one-more', 1000, 1000).count).toBe(1);
  });
});

describe('merged metrics', () => {
  it('sums counters and histograms and labels gauges by worker', () => {
    const text = (n: number) =>
      [
        '# HELP c_total A counter.',
        '# TYPE c_total counter',
        `c_total{route="/a"} ${n}`,
        '# HELP h A histogram.',
        '# TYPE h histogram',
        `h_bucket{le="+Inf"} ${n}`,
        `h_sum ${n / 10}`,
        '# HELP g A gauge.',
        '# TYPE g gauge',
        `g{kind="memory"} 1`,
        'g 2',
        '',
      ].join('\n');
    expect(
      mergeMetrics([
        [0, text(3)],
        [1, text(4)],
      ]),
    ).toBe(
      [
        '# HELP c_total A counter.',
        '# TYPE c_total counter',
        'c_total{route="/a"} 7',
        '# HELP h A histogram.',
        '# TYPE h histogram',
        'h_bucket{le="+Inf"} 7',
        'h_sum 0.7',
        '# HELP g A gauge.',
        '# TYPE g gauge',
        'g{worker="0",kind="memory"} 1',
        'g{worker="0"} 2',
        'g{worker="1",kind="memory"} 1',
        'g{worker="1"} 2',
        '',
      ].join('\n'),
    );
  });
});
