/**
 * Translates validator (Ajv) errors into `errors[]` entries (docs/api-conventions.md: every 4xx
 * names the field): one entry per field, with a stable code from errors/field-codes.ts — never
 * the validator's keyword — and, for a value outside an enumeration, the values allowed.
 */
import type { FieldError } from '../errors/problem.ts';
import type { FieldCode } from '../errors/field-codes.ts';

interface AjvLikeError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

function join(path: string, prop?: unknown): string {
  const base = path.replace(/^\//, '').replaceAll('/', '.');
  if (prop === undefined) return base;
  return base ? `${base}.${String(prop)}` : String(prop);
}

/** The field an error is about: the child for `required`/`additionalProperties`, else the value. */
function fieldOf(e: AjvLikeError): string {
  if (e.keyword === 'required') return join(e.instancePath, e.params.missingProperty);
  if (e.keyword === 'additionalProperties') return join(e.instancePath, e.params.additionalProperty);
  return join(e.instancePath);
}

const chars = (n: unknown) => `${String(n)} character${n === 1 ? '' : 's'}`;
const items = (n: unknown) => `${String(n)} item${n === 1 ? '' : 's'}`;
const UNION = new Set(['anyOf', 'oneOf']);

/** One validator error as a field error (its field filled in by the caller). */
function translate(e: AjvLikeError): Omit<FieldError, 'field'> {
  const p = e.params;
  const entry = (code: FieldCode, message: string) => ({ code, message });
  switch (e.keyword) {
    case 'required':
      return entry('required', 'is required');
    case 'additionalProperties':
      return entry('unknown_field', 'is not a known field');
    case 'type':
      return entry('invalid_type', `must be ${typeList(p.type)}`);
    case 'enum':
      return allowed(p.allowedValues as unknown[]);
    case 'const':
      return allowed([p.allowedValue]);
    case 'minLength':
      return entry('too_short', `must be at least ${chars(p.limit)}`);
    case 'maxLength':
      return entry('too_long', `must be at most ${chars(p.limit)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return entry('out_of_range', `must be ${String(p.comparison)} ${String(p.limit)}`);
    case 'multipleOf':
      return entry('not_multiple', `must be a multiple of ${String(p.multipleOf)}`);
    case 'format':
      return entry(
        'invalid_format',
        p.format === 'email' ? 'must be an email address' : `must be a valid ${String(p.format)}`,
      );
    case 'pattern':
      return entry('invalid_format', `must match ${String(p.pattern)}`);
    case 'minItems':
      return entry('too_few_items', `must have at least ${items(p.limit)}`);
    case 'maxItems':
      return entry('too_many_items', `must have at most ${items(p.limit)}`);
    case 'uniqueItems':
      return entry('duplicate_items', 'must not hold the same item twice');
    case 'minProperties':
      return entry(
        'too_few_fields',
        `must have at least ${String(p.limit)} field${p.limit === 1 ? '' : 's'}`,
      );
    case 'maxProperties':
      return entry('too_many_fields', `must have at most ${String(p.limit)} fields`);
    default:
      return entry('invalid', e.message ?? 'is invalid');
  }
}

function typeList(t: unknown): string {
  const types = (Array.isArray(t) ? t : [t]).map(String);
  const named = types.map((x) =>
    x === 'null' ? 'null' : x === 'integer' || x === 'array' || x === 'object' ? `an ${x}` : `a ${x}`,
  );
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} or ${named.at(-1)}` : (named[0] ?? 'valid');
}

function allowed(values: unknown[]): FieldError & { allowed: unknown[] } {
  const shown = values.map((v) => JSON.stringify(v)).join(', ');
  return { field: '', code: 'not_allowed', message: `must be one of ${shown}`, allowed: values };
}

/**
 * A union (`anyOf`, e.g. `Nullable(Type.Enum(...))`) failed: its branches' errors become one.
 * A branch whose type matched but whose constraint failed says the most (`too_short`); values
 * of enumerations (and `null`, if a branch allows it) merge into one `not_allowed`; otherwise
 * the types the branches accept.
 */
function union(branches: AjvLikeError[]): Omit<FieldError, 'field'> {
  const values: unknown[] = [];
  const types: unknown[] = [];
  for (const b of branches) {
    if (b.keyword === 'enum') values.push(...(b.params.allowedValues as unknown[]));
    else if (b.keyword === 'const') values.push(b.params.allowedValue);
    else if (b.keyword === 'type')
      types.push(...(Array.isArray(b.params.type) ? b.params.type : [b.params.type]));
  }
  const constraint = branches.find((b) => !['type', 'enum', 'const'].includes(b.keyword));
  if (constraint) return translate(constraint);
  if (values.length > 0) return allowed(types.includes('null') ? [...values, null] : values);
  if (types.length > 0) return { code: 'invalid_type', message: `must be ${typeList([...new Set(types)])}` };
  return { code: 'invalid', message: 'is invalid' };
}

export function fieldErrors(errors: readonly AjvLikeError[], context?: string): FieldError[] {
  const byField = new Map<string, AjvLikeError[]>();
  for (const e of errors) {
    const field = fieldOf(e) || context || 'body';
    const list = byField.get(field) ?? [];
    list.push(e);
    byField.set(field, list);
  }
  const out: FieldError[] = [];
  for (const [field, list] of byField) {
    const isUnion = list.some((e) => UNION.has(e.keyword));
    const chosen = isUnion ? union(list.filter((e) => !UNION.has(e.keyword))) : translate(list[0]!);
    out.push({ ...chosen, field });
  }
  return out;
}

/**
 * The fields of a parsed request part whose strings hold a NUL character (U+0000): JSON and
 * URLs can carry one, PostgreSQL text cannot store it, so it is refused up front (422) rather
 * than failing in the database (500). Iterative, so a deeply nested body cannot overflow the
 * stack. Paths are dotted (`items.0.name`); a whole-string part is `''`.
 */
export function nulFields(value: unknown): string[] {
  const out: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) out.push(path);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) stack.push([child, path ? `${path}.${k}` : k]);
    }
  }
  return out.sort();
}
