import { describe, expect, it } from 'vitest';
import { problem } from './problem.ts';

describe('problem bodies', () => {
  it('keep the standard members when an extension uses the same name', () => {
    const body = problem('invalid_state', {
      detail: 'Already shipped',
      extensions: { status: 'cancelled', code: 'x', current_status: 'shipped' },
    });
    expect(body).toMatchObject({
      status: 409,
      code: 'invalid_state',
      detail: 'Already shipped',
      current_status: 'shipped',
    });
    expect(body.type).toBe('/problems/invalid_state');
  });
});
