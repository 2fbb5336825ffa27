import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from '../../../scripts/errors-doc.ts';
import { platformProblems, registeredProblems } from '@portico/kit';
import { financeProblems, identityProblems } from '../src/index.ts';

describe('the problem code registry', () => {
  it('is what docs/errors.md documents (regenerate with node scripts/errors-doc.ts)', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
    expect(doc).toBe(renderErrorsDoc());
  });

  it('gives every code a 4xx or 5xx status and a title', () => {
    for (const e of registeredProblems()) {
      expect(e.code).toMatch(/^[a-z][a-z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(600);
      expect(e.title.length).toBeGreaterThan(2);
    }
  });

  it('holds the platform codes and each domain’s, each owned once', () => {
    const owners = new Map(registeredProblems().map((e) => [e.code, e.domain]));
    expect(owners.get('validation_failed')).toBe('platform');
    expect(owners.get('overpayment')).toBe('finance');
    expect(owners.get('invalid_credentials')).toBe('identity');
    expect(Object.keys(platformProblems)).not.toContain('overpayment');
    expect(Object.keys(financeProblems)).toContain('overpayment');
    expect(Object.keys(identityProblems)).toContain('account_disabled');
  });
});
