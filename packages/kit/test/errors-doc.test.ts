import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../../../scripts/errors-doc.ts';
import { problemRegistry } from '../src/index.ts';

describe('the problem code registry', () => {
  it('is what docs/errors.md documents (regenerate with node scripts/errors-doc.ts)', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
    expect(doc).toBe(renderErrorsDoc());
  });

  it('gives every code a 4xx or 5xx status and a title', () => {
    for (const [code, e] of Object.entries(problemRegistry)) {
      expect(code).toMatch(/^[a-z][a-z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(600);
      expect(e.title.length).toBeGreaterThan(2);
    }
  });
});
