import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEventsDoc } from '../../../scripts/events-doc.ts';

describe('the event catalogue', () => {
  it('is what docs/events.md documents (regenerate with node scripts/events-doc.ts)', async () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/events.md'), 'utf8');
    expect(doc).toBe(await renderEventsDoc());
  });
});
