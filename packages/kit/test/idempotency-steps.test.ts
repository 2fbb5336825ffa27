import { describe, expect, it } from 'vitest';
import { decodeStep, encodeStep } from '../src/idempotency/steps.ts';

describe('recorded transaction results', () => {
  it('come back as the handler saw them: Dates, Buffers, bigints, nested rows', () => {
    const row = {
      id: 'o-1',
      created_at: new Date('2026-12-05T12:00:00.000Z'),
      blob: Buffer.from('bytes'),
      big: 12345678901234567890n,
      items: [{ qty: 2, at: new Date(0) }],
      none: null,
    };
    const back = decodeStep(JSON.parse(encodeStep(row))) as typeof row;
    expect(back).toEqual(row);
    expect(back.created_at).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(back.blob)).toBe(true);
  });

  it('record undefined and unencodable results as null instead of failing', () => {
    expect(decodeStep(encodeStep(undefined))).toBeUndefined();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(decodeStep(encodeStep(cycle))).toBeNull();
  });
});
