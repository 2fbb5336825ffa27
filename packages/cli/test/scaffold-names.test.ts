/** The names and the port `portico new service` derives, as pure functions. */
import { describe, expect, it } from 'vitest';
import { appendToBlock } from '../src/scaffold/config-edits.ts';
import { deriveNames, nameProblem, singularOf } from '../src/scaffold/names.ts';
import { pickPort } from '../src/scaffold/ports.ts';

describe('scaffold names', () => {
  it('singularises the last word of a kebab plural', () => {
    expect(
      ['notes', 'categories', 'boxes', 'course-notes', 'staff', 'status', 'demo'].map(singularOf),
    ).toEqual(['note', 'category', 'box', 'course-note', 'staff', 'status', 'demo']);
  });

  it('derives the identifiers, table and event entity from the service and resource', () => {
    expect(deriveNames('course-notes')).toMatchObject({
      plural: 'course-notes',
      singular: 'course-note',
      table: 'course_notes',
      entity: 'course_note',
      Singular: 'CourseNote',
      singularCamel: 'courseNote',
      ServicePascal: 'CourseNotes',
      SERVICE_ENV: 'COURSE_NOTES',
    });
    expect(deriveNames('library', 'books')).toMatchObject({
      plural: 'books',
      entity: 'book',
      table: 'books',
    });
  });

  it('accepts lower-case kebab-case only, and not the names of Portico’s own parts', () => {
    expect(nameProblem('course-notes')).toBeNull();
    expect(nameProblem('v2-notes')).toBeNull();
    for (const bad of ['Notes', 'notes_x', '2notes', 'notes--x', '-notes', 'notes-', '', 'a'.repeat(41)])
      expect(nameProblem(bad), bad).not.toBeNull();
    for (const reserved of ['gateway', 'public', 'pg-stats', 'kit-outbox'])
      expect(nameProblem(reserved), reserved).toMatch(/reserved/);
    expect(nameProblem('kit-outbox', 'a resource name')).toMatch(/reserved/);
  });
});

describe('scaffold ports', () => {
  it('gives a planned service its reserved port, and anything else the first free one from 8010', () => {
    expect(pickPort('students', [8001, 8005])).toBe(8006);
    expect(pickPort('students', [8006])).toBe(8010);
    expect(pickPort('notes', [8001, 8002])).toBe(8010);
    expect(pickPort('notes', [8010, 8011, 8013])).toBe(8012);
  });
});

describe('scaffold YAML edits', () => {
  it('appends to a top-level block after its last entry, before trailing comments', () => {
    const text = 'a:\n  x: 1\n  # about y\n  y: 2\n\n  # trailing\nb:\n  z: 3\n';
    expect(appendToBlock(text, 'a', '  w: 4')).toBe(
      'a:\n  x: 1\n  # about y\n  y: 2\n  w: 4\n\n  # trailing\nb:\n  z: 3\n',
    );
    expect(appendToBlock(text, 'b', '  q: 5')).toBe(`${text.trimEnd()}\n  q: 5\n`);
    expect(() => appendToBlock(text, 'c', '  q: 5')).toThrow(/no top-level "c:"/);
  });
});
