/**
 * fast-check arbitraries from the JSON Schemas of the gateway's /openapi.json: values that
 * mostly fit the schema (so requests reach the handlers) and sometimes do not (a leaf replaced
 * by any JSON value, an optional field dropped, an unknown field added).
 */
import fc from 'fast-check';
import type { OpenApiDoc, Schema } from './platform.ts';

const MAX_DEPTH = 4;

export function schemaArbitrary(doc: OpenApiDoc, schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const valid = fitting(doc, s, depth);
  // One value in ten anywhere in the tree is arbitrary JSON instead.
  return fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 });
}

function resolve(doc: OpenApiDoc, s: Schema): Schema {
  let out = s;
  for (let i = 0; out.$ref && i < 10; i++) out = doc.components?.schemas?.[out.$ref.split('/').pop()!] ?? {};
  return out;
}

function fitting(doc: OpenApiDoc, s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (depth > MAX_DEPTH) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alt = s.anyOf ?? s.oneOf;
  if (alt && alt.length > 0) return fc.oneof(...alt.map((a) => schemaArbitrary(doc, a, depth + 1)));
  if (s.allOf && s.allOf.length > 0) return schemaArbitrary(doc, s.allOf[0]!, depth + 1);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  const type = types.find((t) => t !== 'null') ?? (s.properties ? 'object' : undefined);
  const base = typed(doc, s, type, depth);
  return types.includes('null') ? fc.option(base, { nil: null }) : base;
}

function typed(doc: OpenApiDoc, s: Schema, type: string | undefined, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schemaArbitrary(doc, s.items ?? {}, depth + 1), {
        minLength: Math.min(s.minItems ?? 0, 3),
        maxLength: Math.min(s.maxItems ?? 4, 4),
      });
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, schemaArbitrary(doc, v, depth + 1)])),
        { requiredKeys: Object.keys(props).filter((k) => required.has(k)) },
      );
      // Now and then a required field goes missing or an unknown one appears.
      return fc.oneof(
        { arbitrary: record, weight: 8 },
        {
          arbitrary: fc
            .tuple(record, fc.constantFrom('roles', 'owner_id', 'id', '__proto__', 'constructor'))
            .map(([r, k]) => ({ ...(r as object), [k]: ['admin'] })),
          weight: 1,
        },
        { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 })), weight: 1 },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  switch (s.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc
        .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'uri':
      return fc.webUrl();
  }
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 40, 200));
  return fc.oneof(
    { arbitrary: fc.string({ minLength: min, maxLength: max }), weight: 6 },
    { arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }), weight: 2 },
    {
      arbitrary: fc.constantFrom("' OR 1=1 --", '../../etc/passwd', '<script>x</script>', '\u0000', '%00'),
      weight: 1,
    },
  );
}

/** Any generated value as parameter text (objects as JSON: `String` throws on `{toString: 1}`). */
const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null'));

/**
 * A path or query parameter value, URL-encoded (ids mostly, sometimes anything). Never empty,
 * `.` or `..`: the client's URL parser would turn those into a different path (dot segments are
 * tested on the raw socket in edge.test.ts).
 */
export function paramArbitrary(doc: OpenApiDoc, schema: Schema | undefined): fc.Arbitrary<string> {
  const typedValue = schema ? fitting(doc, resolve(doc, schema), MAX_DEPTH - 1).map(text) : fc.uuid();
  return fc
    .oneof(
      { arbitrary: typedValue, weight: 4 },
      { arbitrary: fc.uuid(), weight: 3 },
      { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
    )
    .filter((v) => v !== '' && v !== '.' && v !== '..')
    .map((v) => encodeURIComponent(v));
}
