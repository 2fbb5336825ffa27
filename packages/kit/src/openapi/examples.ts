/**
 * Examples for every operation of an OpenAPI 3.1 document, composed from the schemas: a field's
 * own `examples[0]` (declared once on the TypeBox schema), else its `default`, `const` or first
 * `enum` value, else a value its `format`, `pattern`-free type and bounds accept. A media type that
 * already carries `example` or `examples` (a route-level override) is left alone. Problem answers
 * get a realistic body: the registry's code for that status, its title and `type` URL.
 * The gateway runs this over the merged document, so every service and the gateway's own routes
 * are covered by one mechanism (docs/api-contract.md).
 */
import { problemRegistry, problemType, type ProblemCode } from '../errors/registry.ts';

type Json = Record<string, any>;

const FORMAT_EXAMPLES: Record<string, unknown> = {
  uuid: '0190c5a4-7b1e-7c3a-9f00-6a1b2c3d4e5f',
  'date-time': '2026-01-15T09:30:00.000Z',
  date: '2026-01-15',
  time: '09:30:00Z',
  email: 'ada@example.com',
  uri: 'https://example.com/hooks/portico',
  'uri-reference': '/problems/not_found',
  url: 'https://example.com/',
  hostname: 'example.com',
  ipv4: '192.0.2.10',
  ipv6: '2001:db8::10',
  duration: 'P1D',
};

/** The preferred code for a status when an operation names none (the platform's own codes). */
const STATUS_CODES: Record<number, ProblemCode> = {
  400: 'malformed_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict' as ProblemCode,
  412: 'precondition_failed' as ProblemCode,
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  428: 'precondition_required' as ProblemCode,
  429: 'rate_limited' as ProblemCode,
  500: 'internal_error',
  502: 'bad_gateway' as ProblemCode,
  503: 'service_unavailable',
  504: 'gateway_timeout' as ProblemCode,
};

function codeFor(status: number, description: string): ProblemCode | null {
  // A description that names its code (`precondition_failed`: ...) wins.
  const named = /`([a-z_]+)`/.exec(description)?.[1];
  if (named && named in problemRegistry && problemRegistry[named as ProblemCode].status === status)
    return named as ProblemCode;
  const preferred = STATUS_CODES[status];
  if (preferred && preferred in problemRegistry) return preferred;
  const any = Object.entries(problemRegistry).find(([, d]) => d.status === status);
  return any ? (any[0] as ProblemCode) : null;
}

/** An example problem body for `status`, as the kit and the gateway answer it. */
export function problemExample(status: number, description = ''): Json | null {
  const code = codeFor(status, description);
  if (!code) return null;
  const def = problemRegistry[code];
  const body: Json = {
    type: problemType(code),
    title: def.title,
    status: def.status,
    code,
    detail: description.replace(/`/g, '') || def.title,
    instance: '/api/v1/tasks/0190c5a4-7b1e-7c3a-9f00-6a1b2c3d4e5f',
    request_id: 'req_01JFZ3T9QK8V2N4M6P0R5S7W9X',
  };
  if (status === 422)
    body.errors = [{ field: 'title', code: 'too_short', message: 'must NOT have fewer than 1 characters' }];
  return body;
}

function resolve(doc: Json, schema: Json): Json {
  let s = schema;
  for (let i = 0; i < 20 && typeof s?.$ref === 'string' && s.$ref.startsWith('#/'); i++) {
    const target = s.$ref
      .slice(2)
      .split('/')
      .reduce((o: any, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    if (!target) return {};
    s = target;
  }
  return s ?? {};
}

function stringExample(s: Json): string {
  if (typeof s.format === 'string' && typeof FORMAT_EXAMPLES[s.format] === 'string') {
    const v = FORMAT_EXAMPLES[s.format] as string;
    if ((s.maxLength === undefined || v.length <= s.maxLength) && (s.minLength ?? 0) <= v.length) return v;
  }
  let v = 'example';
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  while (v.length < min) v += v;
  if (v.length > max) v = v.slice(0, Math.max(min, max));
  return v;
}

function numberExample(s: Json, integer: boolean): number {
  let v = 1;
  if (typeof s.minimum === 'number') v = Math.max(v, s.minimum);
  if (typeof s.exclusiveMinimum === 'number') v = Math.max(v, s.exclusiveMinimum + 1);
  if (typeof s.maximum === 'number') v = Math.min(v, s.maximum);
  if (typeof s.exclusiveMaximum === 'number') v = Math.min(v, s.exclusiveMaximum - 1);
  if (typeof s.multipleOf === 'number') v = Math.ceil(v / s.multipleOf) * s.multipleOf;
  return integer ? Math.round(v) : v;
}

/** An example value for `schema` (resolved against `doc`), or undefined when none can be made. */
export function exampleOf(doc: Json, schema: Json | undefined, depth = 0): unknown {
  if (!schema || depth > 12) return undefined;
  const s = resolve(doc, schema);
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v: unknown) => v !== null) ?? s.enum[0];
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((p: Json) => exampleOf(doc, p, depth + 1));
    if (parts.every((p: unknown) => p && typeof p === 'object' && !Array.isArray(p)))
      return Object.assign({}, ...parts);
    return parts.find((p: unknown) => p !== undefined);
  }
  for (const key of ['anyOf', 'oneOf'] as const)
    if (Array.isArray(s[key])) {
      // Prefer a branch that is not null.
      const branches = [...s[key]].sort(
        (a: Json, b: Json) =>
          Number(resolve(doc, a).type === 'null') - Number(resolve(doc, b).type === 'null'),
      );
      for (const b of branches) {
        const v = exampleOf(doc, b, depth + 1);
        if (v !== undefined) return v;
      }
      return undefined;
    }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : [];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const [name, prop] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        const v = exampleOf(doc, prop, depth + 1);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'array': {
      const item = exampleOf(doc, s.items, depth + 1);
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      if (item === undefined) return [];
      const n = Math.min(Math.max(min, 1), typeof s.maxItems === 'number' ? s.maxItems : 1);
      if (s.uniqueItems && n > 1) return [item];
      return Array.from({ length: n }, () => item);
    }
    case 'string':
      return stringExample(s);
    case 'integer':
      return numberExample(s, true);
    case 'number':
      return numberExample(s, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      // Any JSON (`{}`, or only a description): an empty object is a value it accepts.
      return Object.keys(s).every((k) => k === 'description' || k === 'title') ? {} : undefined;
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function fill(media: Json, fallback: () => unknown): void {
  if (!media || typeof media !== 'object') return;
  if (media.example !== undefined || media.examples !== undefined) return;
  const v = fallback();
  if (v !== undefined) media.example = v;
}

/**
 * Adds an `example` to each request body and response content of `doc` that has none (in place).
 * Problem responses (`application/problem+json`) get a problem of the right status.
 */
export function addExamples(doc: Json): void {
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item?.[method] as Json | undefined;
      if (!op) continue;
      for (const media of Object.values((op.requestBody?.content ?? {}) as Record<string, Json>))
        fill(media, () => exampleOf(doc, media.schema));
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const r = resolve(doc, response);
        for (const [type, media] of Object.entries((r.content ?? {}) as Record<string, Json>)) {
          const n = Number(status);
          if (type === 'application/problem+json' && Number.isInteger(n))
            fill(media, () => problemExample(n, String(r.description ?? '')) ?? exampleOf(doc, media.schema));
          else fill(media, () => exampleOf(doc, media.schema));
        }
      }
    }
  }
}
