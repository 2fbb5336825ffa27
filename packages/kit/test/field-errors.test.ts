/**
 * 422 field errors (docs/errors.md, "Field codes"): one entry per field, stable codes from the
 * registry rather than validator keywords, and the allowed values of an enumeration.
 */
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type } from 'typebox';
import { fieldErrors } from '../src/http/validation.ts';
import { fieldCodes } from '../src/errors/field-codes.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
// The settings the kit validates bodies with (http/app.ts).
const ajv = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false }));

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Body = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 5, pattern: '\\S' }),
    priority: Type.Optional(Type.Enum(['low', 'medium', 'high'])),
    status: Type.Optional(Type.Union([Type.Enum(['open', 'closed']), Type.Null()])),
    kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
    note: Type.Optional(Nullable(Type.String({ minLength: 2 }))),
    email: Type.Optional(Type.String({ format: 'email' })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
    tags: Type.Optional(Type.Array(Type.String(), { maxItems: 2, uniqueItems: true })),
  },
  { additionalProperties: false },
);
const validate = ajv.compile(Body);

function errorsFor(body: unknown) {
  expect(validate(body)).toBe(false);
  return fieldErrors(validate.errors as never, 'body');
}

describe('field errors', () => {
  it('names each field once, with a registry code, whatever number of rules it broke', () => {
    const errors = errorsFor({ title: '  ', count: 0, tags: ['x', 'x', 'y'], extra: 1, email: 'no' });
    const fields = errors.map((e) => e.field);
    expect(new Set(fields).size).toBe(fields.length);
    expect(Object.fromEntries(errors.map((e) => [e.field, e.code]))).toEqual({
      title: 'invalid_format',
      count: 'out_of_range',
      tags: 'too_many_items',
      extra: 'unknown_field',
      email: 'invalid_format',
    });
    for (const e of errors) expect(Object.keys(fieldCodes)).toContain(e.code);
  });

  it('lists the allowed values of an enum, a union of literals and a nullable enum', () => {
    const errors = errorsFor({ title: 'ok', priority: 'urgent', kind: 'c', status: 'done' });
    expect(errors).toEqual([
      {
        field: 'priority',
        code: 'not_allowed',
        message: 'must be one of "low", "medium", "high"',
        allowed: ['low', 'medium', 'high'],
      },
      {
        field: 'status',
        code: 'not_allowed',
        message: 'must be one of "open", "closed", null',
        allowed: ['open', 'closed', null],
      },
      { field: 'kind', code: 'not_allowed', message: 'must be one of "a", "b"', allowed: ['a', 'b'] },
    ]);
  });

  it('reports the broken constraint of a nullable string, and both types for a wrong type', () => {
    expect(errorsFor({ title: 'ok', note: 'x' })).toEqual([
      { field: 'note', code: 'too_short', message: 'must be at least 2 characters' },
    ]);
    expect(errorsFor({ title: 'ok', note: 5 })).toEqual([
      { field: 'note', code: 'invalid_type', message: 'must be a string or null' },
    ]);
    expect(errorsFor({})).toEqual([{ field: 'title', code: 'required', message: 'is required' }]);
    expect(errorsFor({ title: 'toolong' })[0]).toMatchObject({ field: 'title', code: 'too_long' });
  });
});
