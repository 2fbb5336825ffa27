/**
 * The breaking changes between two OpenAPI 3.1 documents (the committed snapshot and the
 * gateway's current `/openapi.json`), as a client of the older one would meet them:
 *   - a path or an operation removed;
 *   - a success (2xx/3xx) response removed, or its JSON body gone;
 *   - a response field removed, made optional (no longer `required`), or its type changed to one
 *     the old type does not cover (`string` → `integer`, `string` → `string | null`);
 *   - a new required request field or parameter; a request field removed (bodies are strict: a
 *     client still sending it would get 422); a request field's type narrowed; an enum value a
 *     client may send removed.
 * Written here rather than taken from npm: docs/api-contract.md says which tools were tried and
 * why each was not enough (OpenAPI 3.1, response fields).
 */
type Json = Record<string, any>;

export interface BreakingChange {
  method: string;
  path: string;
  /** Where in the operation: `response 200 body.items[].title`, `request body.priority`, `query limit`. */
  where: string;
  message: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const JSON_TYPES = ['application/json', 'application/problem+json'];

function resolve(doc: Json, schema: Json | undefined): Json | undefined {
  let s = schema;
  for (let i = 0; i < 20 && typeof s?.$ref === 'string' && s.$ref.startsWith('#/'); i++)
    s = s.$ref
      .slice(2)
      .split('/')
      .reduce((o: any, k: string) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  return s;
}

/** The JSON types a schema admits (resolving `anyOf`/`oneOf` branches); null when unconstrained. */
function typesOf(doc: Json, schema: Json | undefined, depth = 0): Set<string> | null {
  const s = resolve(doc, schema);
  if (!s || depth > 10) return null;
  if (s.type) {
    const t = new Set<string>(Array.isArray(s.type) ? s.type : [s.type]);
    if (t.has('integer') && !t.has('number')) t.add('integer');
    return t;
  }
  if (s.const !== undefined) return new Set([jsonType(s.const)]);
  if (Array.isArray(s.enum)) return new Set(s.enum.map(jsonType));
  const branches = s.anyOf ?? s.oneOf;
  if (Array.isArray(branches)) {
    const out = new Set<string>();
    for (const b of branches) {
      const t = typesOf(doc, b, depth + 1);
      if (!t) return null;
      for (const x of t) out.add(x);
    }
    return out;
  }
  if (s.properties) return new Set(['object']);
  return null;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Whether every type in `inner` is admitted by `outer` (integer ⊂ number). */
function covered(inner: Set<string>, outer: Set<string>): boolean {
  for (const t of inner) if (!outer.has(t) && !(t === 'integer' && outer.has('number'))) return false;
  return true;
}

/** Properties of an object schema, merged over `allOf` (and the object branch of a nullable anyOf). */
function objectShape(
  doc: Json,
  schema: Json | undefined,
  depth = 0,
): { props: Json; required: Set<string> } | null {
  const s = resolve(doc, schema);
  if (!s || depth > 10) return null;
  const props: Json = { ...(s.properties ?? {}) };
  const required = new Set<string>(Array.isArray(s.required) ? s.required : []);
  let found = !!s.properties;
  for (const part of (s.allOf ?? []) as Json[]) {
    const sub = objectShape(doc, part, depth + 1);
    if (!sub) continue;
    found = true;
    Object.assign(props, sub.props);
    for (const r of sub.required) required.add(r);
  }
  const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (!found && Array.isArray(branches)) {
    const objects = branches.map((b) => objectShape(doc, b, depth + 1)).filter((x) => x !== null);
    if (objects.length === 1) return objects[0]!;
  }
  return found ? { props, required } : null;
}

function itemsOf(doc: Json, schema: Json | undefined): Json | undefined {
  const s = resolve(doc, schema);
  if (!s) return undefined;
  if (s.items) return s.items;
  for (const b of (s.anyOf ?? s.oneOf ?? []) as Json[]) {
    const r = resolve(doc, b);
    if (r?.items) return r.items;
  }
  return undefined;
}

function enumOf(doc: Json, schema: Json | undefined): unknown[] | null {
  const s = resolve(doc, schema);
  if (!s) return null;
  if (Array.isArray(s.enum)) return s.enum;
  if (s.const !== undefined) return [s.const];
  const branches = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (Array.isArray(branches)) {
    const all: unknown[] = [];
    for (const b of branches) {
      const e = enumOf(doc, b);
      if (e === null) {
        if (resolve(doc, b)?.type === 'null') all.push(null);
        else return null;
      } else all.push(...e);
    }
    return all;
  }
  return null;
}

interface Ctx {
  base: Json;
  head: Json;
  out: BreakingChange[];
  method: string;
  path: string;
}

/** A response body: what a client reads must still be there, with a type it understands. */
function compareResponse(ctx: Ctx, where: string, a: Json | undefined, b: Json | undefined, depth = 0): void {
  if (depth > 12 || !a) return;
  const report = (at: string, message: string): void => {
    ctx.out.push({ method: ctx.method, path: ctx.path, where: at, message });
  };
  if (!b) return report(where, 'removed');
  const ta = typesOf(ctx.base, a);
  const tb = typesOf(ctx.head, b);
  if (ta && tb && !covered(tb, ta))
    return report(where, `type changed from ${[...ta].join(' | ')} to ${[...tb].join(' | ')}`);
  const oa = objectShape(ctx.base, a);
  const ob = objectShape(ctx.head, b);
  if (oa && ob) {
    for (const [name, prop] of Object.entries(oa.props)) {
      const at = `${where}.${name}`;
      if (!(name in ob.props)) {
        report(at, 'response field removed');
        continue;
      }
      if (oa.required.has(name) && !ob.required.has(name)) report(at, 'response field no longer required');
      compareResponse(ctx, at, prop, ob.props[name], depth + 1);
    }
  }
  const ia = itemsOf(ctx.base, a);
  if (ia) compareResponse(ctx, `${where}[]`, ia, itemsOf(ctx.head, b), depth + 1);
}

/** A request body or parameter: what a client sends must still be accepted. */
function compareRequest(ctx: Ctx, where: string, a: Json | undefined, b: Json | undefined, depth = 0): void {
  if (depth > 12 || !b) return;
  const report = (at: string, message: string): void => {
    ctx.out.push({ method: ctx.method, path: ctx.path, where: at, message });
  };
  const ta = typesOf(ctx.base, a);
  const tb = typesOf(ctx.head, b);
  if (ta && tb && !covered(ta, tb))
    return report(where, `accepted type narrowed from ${[...ta].join(' | ')} to ${[...tb].join(' | ')}`);
  const ea = enumOf(ctx.base, a);
  const eb = enumOf(ctx.head, b);
  if (ea && eb) {
    const gone = ea.filter((v) => !eb.some((w) => JSON.stringify(w) === JSON.stringify(v)));
    if (gone.length)
      report(
        where,
        `enum value${gone.length > 1 ? 's' : ''} removed: ${gone.map((v) => JSON.stringify(v)).join(', ')}`,
      );
  }
  const oa = objectShape(ctx.base, a);
  const ob = objectShape(ctx.head, b);
  if (oa && ob) {
    for (const name of ob.required)
      if (!oa.required.has(name)) report(`${where}.${name}`, 'new required request field');
    for (const [name, prop] of Object.entries(oa.props)) {
      if (!(name in ob.props)) {
        const open = resolve(ctx.head, b)?.additionalProperties;
        if (open === false || open === undefined) report(`${where}.${name}`, 'request field removed');
        continue;
      }
      compareRequest(ctx, `${where}.${name}`, prop, ob.props[name], depth + 1);
    }
  } else if (!oa && ob && ob.required.size && !ta) {
    for (const name of ob.required) report(`${where}.${name}`, 'new required request field');
  }
  const ia = itemsOf(ctx.base, a);
  const ib = itemsOf(ctx.head, b);
  if (ia && ib) compareRequest(ctx, `${where}[]`, ia, ib, depth + 1);
}

function jsonMedia(content: Json | undefined): Json | undefined {
  if (!content) return undefined;
  for (const t of JSON_TYPES) if (content[t]) return content[t];
  return undefined;
}

function parameters(item: Json, op: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const p of [...((item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])])
    if (p && typeof p === 'object' && p.name)
      out.set(`${p.in} ${p.in === 'header' ? String(p.name).toLowerCase() : p.name}`, p);
  return out;
}

/** Every breaking change from `base` to `head`; empty when a client of `base` keeps working. */
export function breakingChanges(base: Json, head: Json): BreakingChange[] {
  const out: BreakingChange[] = [];
  for (const [path, itemA] of Object.entries((base.paths ?? {}) as Record<string, Json>)) {
    const itemB = (head.paths as Record<string, Json> | undefined)?.[path];
    for (const method of METHODS) {
      const opA = itemA[method] as Json | undefined;
      if (!opA) continue;
      const M = method.toUpperCase();
      const opB = itemB?.[method] as Json | undefined;
      if (!opB) {
        out.push({
          method: M,
          path,
          where: 'operation',
          message: itemB ? 'operation removed' : 'path removed',
        });
        continue;
      }
      const ctx: Ctx = { base, head, out, method: M, path };
      // Responses: success answers keep their status and every field.
      for (const [status, respA] of Object.entries((opA.responses ?? {}) as Record<string, Json>)) {
        if (!/^[23]\d\d$/.test(status)) continue;
        const respB = resolve(head, opB.responses?.[status]);
        if (!respB) {
          out.push({ method: M, path, where: `response ${status}`, message: 'response removed' });
          continue;
        }
        const ma = jsonMedia(resolve(base, respA)?.content);
        if (!ma?.schema) continue;
        const mb = jsonMedia(respB.content);
        if (!mb?.schema) {
          out.push({ method: M, path, where: `response ${status} body`, message: 'JSON body removed' });
          continue;
        }
        compareResponse(ctx, `response ${status} body`, ma.schema, mb.schema);
      }
      // Parameters: nothing new required, nothing accepted refused.
      const pa = parameters(itemA, opA);
      const pb = parameters(itemB!, opB);
      for (const [key, p] of pb) {
        const [where, name] = [key.split(' ')[0]!, String(p.name)];
        const before = pa.get(key);
        if (!before) {
          if (p.required && p.in !== 'path')
            out.push({ method: M, path, where: `${where} ${name}`, message: 'new required parameter' });
          continue;
        }
        if (p.required && !before.required)
          out.push({ method: M, path, where: `${where} ${name}`, message: 'parameter became required' });
        compareRequest(ctx, `${where} ${name}`, before.schema, p.schema);
      }
      for (const [key, p] of pa)
        if (!pb.has(key) && p.in === 'query')
          out.push({ method: M, path, where: `query ${String(p.name)}`, message: 'query parameter removed' });
      // Request body.
      const ba = jsonMedia(opA.requestBody?.content);
      const bb = jsonMedia(opB.requestBody?.content);
      if (bb?.schema) {
        if (!ba?.schema) {
          if (opB.requestBody?.required)
            out.push({ method: M, path, where: 'request body', message: 'a body is now required' });
        } else compareRequest(ctx, 'request body', ba.schema, bb.schema);
      }
    }
  }
  return out;
}

/** One line per change: `DELETE /api/v1/tasks/{id}: response 200 body.title: response field removed`. */
export function formatChanges(changes: readonly BreakingChange[]): string {
  return changes.map((c) => `${c.method} ${c.path}: ${c.where}: ${c.message}`).join('\n');
}
