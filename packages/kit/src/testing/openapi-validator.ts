/**
 * Checks answers against an OpenAPI 3.1 document, as the system tests do for every response they
 * get through the gateway (docs/api-contract.md):
 *   - the operation (method + path template) is in the document;
 *   - the status is declared for it (exactly, as `4XX`, or as `default`);
 *   - each header Portico sets (`X-Request-Id`, the rate-limit fields, `Location`, `Link`, `ETag`,
 *     `Portico-Version`, `Retry-After`) is declared on that response;
 *   - a JSON body validates against the declared schema, with unknown fields refused: every
 *     object schema that does not say otherwise is read with `unevaluatedProperties: false`.
 * Schemas are compiled with Ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect, with formats) once
 * per document, lazily per response.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, any>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Response headers Portico sets that the document must declare when an answer carries them. */
export const CHECKED_HEADERS = [
  'x-request-id',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'ratelimit',
  'ratelimit-policy',
  'location',
  'link',
  'etag',
  'portico-version',
  'retry-after',
];

export interface Violation {
  method: string;
  path: string;
  status: number;
  message: string;
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  /** Literal segments count: the most specific template wins. */
  literals: number;
  op: Json;
  pointer: string;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** A deep copy where object schemas refuse properties they do not declare (outside allOf members). */
function strict(value: unknown, inAllOf = false, isSchema = false): unknown {
  if (Array.isArray(value)) return value.map((v) => strict(v, inAllOf, isSchema));
  if (value === null || typeof value !== 'object') return value;
  const src = value as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'example' || k === 'examples' || k === 'default' || k === 'const' || k === 'enum') out[k] = v;
    else if (k === 'allOf' && Array.isArray(v)) out[k] = v.map((s) => strict(s, true, true));
    else if (k === 'properties' && isSchema && v && typeof v === 'object')
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([n, s]) => [n, strict(s, false, true)]));
    else if (['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'schema'].includes(k))
      out[k] = strict(v, false, true);
    else if ((k === 'anyOf' || k === 'oneOf' || k === 'prefixItems') && Array.isArray(v))
      out[k] = v.map((s) => strict(s, false, true));
    else out[k] = strict(v, false, isSchema);
  }
  if (
    isSchema &&
    !inAllOf &&
    (out.properties || out.type === 'object' || out.allOf) &&
    out.additionalProperties === undefined &&
    out.unevaluatedProperties === undefined &&
    out.patternProperties === undefined &&
    !(out.type === 'object' && !out.properties && !out.allOf)
  )
    out.unevaluatedProperties = false;
  return out;
}

/** Marks the schema positions of a document (components.schemas, media `schema`, parameter `schema`, headers). */
function strictDocument(doc: Json): Json {
  const out = structuredClone(doc);
  const schemas = out.components?.schemas as Json | undefined;
  if (schemas) for (const k of Object.keys(schemas)) schemas[k] = strict(schemas[k], false, true);
  for (const item of Object.values((out.paths ?? {}) as Record<string, Json>))
    for (const m of METHODS) {
      const op = item?.[m] as Json | undefined;
      if (!op) continue;
      for (const r of Object.values((op.responses ?? {}) as Record<string, Json>))
        for (const media of Object.values((r?.content ?? {}) as Record<string, Json>))
          if (media?.schema) media.schema = strict(media.schema, false, true);
      for (const media of Object.values((op.requestBody?.content ?? {}) as Record<string, Json>))
        if (media?.schema) media.schema = strict(media.schema, false, true);
    }
  return out;
}

export class OpenApiValidator {
  readonly doc: Json;
  #ajv: Ajv2020;
  #routes: Route[] = [];
  #compiled = new Map<string, ValidateFunction>();
  static #n = 0;
  #id: string;

  constructor(doc: Json) {
    this.doc = doc;
    this.#ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateFormats: true }));
    this.#id = `openapi-${OpenApiValidator.#n++}`;
    // The whole document is one schema resource: `#/components/schemas/X` resolve inside it.
    this.#ajv.addSchema({ $id: this.#id, ...strictDocument(doc) } as never, undefined, undefined, false);
    for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      const parts = template.split('/');
      const regex = new RegExp(
        `^${parts.map((p) => (/^\{[^}]+\}$/.test(p) ? '[^/]+' : p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+'))).join('/')}/?$`,
      );
      const literals = parts.filter((p) => p && !p.includes('{')).length;
      for (const method of METHODS)
        if (item?.[method])
          this.#routes.push({
            method: method.toUpperCase(),
            template,
            regex,
            literals,
            op: item[method],
            pointer: `#/paths/${escapePointer(template)}/${method}`,
          });
    }
    this.#routes.sort((a, b) => b.literals - a.literals);
  }

  /** The documented operation for `method path`, or null. */
  operation(method: string, path: string): Route | null {
    const p = path.split('?')[0]!;
    const m = method.toUpperCase() === 'HEAD' ? ['HEAD', 'GET'] : [method.toUpperCase()];
    for (const want of m) {
      const r = this.#routes.find((x) => x.method === want && x.regex.test(p));
      if (r) return r;
    }
    return null;
  }

  /** A compiled validator for a schema somewhere in the document, by JSON pointer. */
  compile(pointer: string): ValidateFunction {
    let fn = this.#compiled.get(pointer);
    if (fn) return fn;
    // Identical schemas (the problem schema under every refusal) share one compiled function:
    // their `$ref`s all point into this one document.
    const target = pointer
      .slice(2)
      .split('/')
      .reduce((o: any, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
    const key = target === undefined ? pointer : `=${JSON.stringify(target)}`;
    fn = this.#compiled.get(key);
    if (!fn) {
      fn = this.#ajv.compile({ $ref: `${this.#id}${pointer}` });
      this.#compiled.set(key, fn);
    }
    this.#compiled.set(pointer, fn);
    return fn;
  }

  #errors(validate: ValidateFunction): string {
    return (validate.errors ?? [])
      .map((e) => `${e.instancePath || '(body)'} ${e.message ?? e.keyword}`)
      .join('; ');
  }

  /** Every way the answer departs from the document (empty when it matches). */
  check(method: string, path: string, res: { status: number; headers: Headers; body: unknown }): Violation[] {
    const at = { method: method.toUpperCase(), path: path.split('?')[0]!, status: res.status };
    const route = this.operation(method, path);
    if (!route) {
      // A path no route serves answers 404 (405 for another method) as a problem: the truth
      // about an undocumented path, not a gap in the document.
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      if ((res.status === 404 || res.status === 405) && type === 'application/problem+json') {
        if (!this.doc.components?.schemas?.Problem) return [];
        const validate = this.compile('#/components/schemas/Problem');
        return validate(res.body) ? [] : [{ ...at, message: `problem body: ${this.#errors(validate)}` }];
      }
      return [{ ...at, message: 'operation not in the document' }];
    }
    const where = { ...at, path: route.template };
    const responses = (route.op.responses ?? {}) as Json;
    const key = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) return [{ ...where, message: `status ${res.status} not declared` }];
    const out: Violation[] = [];
    const response = responses[key] as Json;
    const declared = new Set(Object.keys((response.headers ?? {}) as Json).map((h) => h.toLowerCase()));
    for (const h of CHECKED_HEADERS)
      if (res.headers.has(h) && !declared.has(h)) out.push({ ...where, message: `header ${h} not declared` });
    if (res.status === 204 || res.status === 304 || method.toUpperCase() === 'HEAD') return out;
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const content = (response.content ?? {}) as Json;
    if (!type) return out;
    if (!content[type]) {
      out.push({ ...where, message: `content type ${type} not declared` });
      return out;
    }
    if (!type.endsWith('json') || !content[type].schema) return out;
    const validate = this.compile(
      `${route.pointer}/responses/${escapePointer(key)}/content/${escapePointer(type)}/schema`,
    );
    if (!validate(res.body))
      for (const e of (validate.errors ?? []).slice(0, 5)) {
        const p = e.params as Json;
        const message =
          e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties'
            ? `undeclared field ${String(p.unevaluatedProperty ?? p.additionalProperty)}`
            : (e.message ?? e.keyword);
        out.push({ ...where, message: `body${e.instancePath}: ${message}` });
      }
    return out;
  }
}

/** One line per distinct violation, with how often it was seen. */
export function formatViolations(list: readonly Violation[]): string {
  const counts = new Map<string, number>();
  for (const v of list) {
    const line = `${v.method} ${v.path} → ${v.status}: ${v.message}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line)).join('\n');
}
