/**
 * Translates Ajv validation errors into `errors[]` entries that name the field
 * (docs/api-conventions.md: every 4xx names the field).
 */
import type { FieldError } from '../errors/problem.ts';

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

export function fieldErrors(errors: readonly AjvLikeError[], context?: string): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field: string;
    let code: string;
    let message: string;
    switch (e.keyword) {
      case 'required':
        field = join(e.instancePath, e.params.missingProperty);
        code = 'required';
        message = 'is required';
        break;
      case 'additionalProperties':
        field = join(e.instancePath, e.params.additionalProperty);
        code = 'unknown_field';
        message = 'is not a known field';
        break;
      case 'format':
        field = join(e.instancePath);
        code = 'format';
        message =
          e.params.format === 'email'
            ? 'must be an email address'
            : `must be a valid ${String(e.params.format)}`;
        break;
      default:
        field = join(e.instancePath);
        code = e.keyword;
        message = e.message ?? 'is invalid';
    }
    if (!field) field = context ?? 'body';
    const k = `${field}|${code}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ field, code, message });
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
