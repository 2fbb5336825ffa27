/**
 * The chain of version changes a service declares (`versions` in `defineService`), so its code
 * only ever implements the newest shape (docs/versions.md). Each change names the calendar date
 * that introduced it and, per route, how to turn a request in the shape before the change into
 * the shape after it (`upgrade`) and a response after it into the shape before it
 * (`downgrade`), with the schemas of the shapes before it (for validation and the OpenAPI
 * document at older versions). A request at version V runs through every change dated after V:
 * requests upgraded oldest change first, responses downgraded newest change first.
 *
 * @example
 *   versions: [{
 *     date: '2026-12-01',
 *     description: 'Money as { amount, currency } objects',
 *     transforms: {
 *       'GET /api/v1/products/:id': routeChange({
 *         response: { before: OldProduct, downgrade: (p: Product) => ({ ...p, price: p.price.amount, currency: p.price.currency }) },
 *       }),
 *     },
 *   }]
 */
import type { Static, TSchema } from 'typebox';
import type { FieldError } from '../errors/problem.ts';
import { fieldErrors } from '../http/validation.ts';
import { API_VERSIONS, type ApiVersion } from './calendar.ts';

type Json = Record<string, any>;
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `METHOD /path` as the route is registered (`:id` parameters). */
export type RouteKey = `${RouteMethod} /${string}`;

/** What one version change does to one route (untyped; build it with `routeChange`). */
export interface RouteChange {
  /** The body as clients before the change send it, and how to make it the newer shape. */
  request?: { before: TSchema; upgrade(body: any): unknown };
  /** The 2xx body as clients before the change read it, and how to make the newer one into it. */
  response?: { before: TSchema; downgrade(body: any): unknown };
}

/**
 * One route's change, typed: `upgrade` receives the body as `before` describes it, `downgrade`
 * must return what its `before` describes (annotate its parameter with the newer shape).
 */
export function routeChange<
  ReqBefore extends TSchema,
  ReqAfter,
  ResBefore extends TSchema,
  ResAfter,
>(change: {
  request?: { before: ReqBefore; upgrade(body: Static<ReqBefore>): ReqAfter };
  response?: { before: ResBefore; downgrade(body: ResAfter): Static<ResBefore> };
}): RouteChange {
  return change as RouteChange;
}

export interface VersionChange {
  /** The calendar date (versions/calendar.ts) from which the newer shape is served. */
  date: ApiVersion;
  description: string;
  transforms: Partial<Record<RouteKey, RouteChange>>;
}

export type Validate = ((body: unknown) => boolean) & { errors?: unknown[] | null };
export type Compile = (schema: TSchema) => Validate;

const KEY = /^(GET|POST|PUT|PATCH|DELETE) \/\S*$/;

/**
 * Checks a service's changes at start: dates of the calendar (versions/calendar.ts; tests pass
 * their own), one change per date, well-formed route keys.
 */
export function checkChanges(
  service: string,
  changes: readonly VersionChange[],
  calendar: readonly string[] = API_VERSIONS,
): void {
  const seen = new Set<string>();
  for (const c of changes) {
    if (!calendar.includes(c.date))
      throw new Error(`${service}: version ${c.date} is not in the calendar (${calendar.join(', ')})`);
    if (c.date === calendar[0])
      throw new Error(`${service}: ${c.date} is the first version; a change needs a later date`);
    if (seen.has(c.date)) throw new Error(`${service}: two changes dated ${c.date}`);
    seen.add(c.date);
    for (const key of Object.keys(c.transforms))
      if (!KEY.test(key)) throw new Error(`${service}: ${key} is not "METHOD /path"`);
  }
}

export class VersionChain {
  readonly #changes: VersionChange[];
  readonly #compile: Compile;
  readonly #steps = new Map<string, RouteChange[]>();
  readonly #validators = new WeakMap<TSchema, Validate>();
  readonly #latest: string;

  constructor(
    service: string,
    changes: readonly VersionChange[],
    compile: Compile,
    calendar: readonly string[] = API_VERSIONS,
  ) {
    checkChanges(service, changes, calendar);
    this.#changes = [...changes].sort((a, b) => a.date.localeCompare(b.date));
    this.#compile = compile;
    this.#latest = calendar[calendar.length - 1]!;
  }

  /** Whether any change touches `key` for a request at `version` (cheap; cached). */
  steps(version: ApiVersion, key: string): readonly RouteChange[] {
    if (version === this.#latest) return [];
    const id = `${version} ${key}`;
    let list = this.#steps.get(id);
    if (list === undefined) {
      list = this.#changes
        .filter((c) => c.date > version)
        .map((c) => c.transforms[key as RouteKey])
        .filter((t): t is RouteChange => t !== undefined);
      this.#steps.set(id, list);
    }
    return list;
  }

  /**
   * The request body in the newest shape, or the field errors against the shape the client's
   * version expects (so they name the fields the client sent).
   */
  upgradeRequest(
    version: ApiVersion,
    key: string,
    body: unknown,
  ): { ok: true; body: unknown } | { ok: false; errors: FieldError[] } {
    const steps = this.steps(version, key).filter((s) => s.request);
    if (steps.length === 0) return { ok: true, body };
    const first = steps[0]!.request!;
    let validate = this.#validators.get(first.before);
    if (validate === undefined) this.#validators.set(first.before, (validate = this.#compile(first.before)));
    if (!validate(body)) return { ok: false, errors: fieldErrors((validate.errors ?? []) as never, 'body') };
    let out = body;
    for (const s of steps) out = s.request!.upgrade(out);
    return { ok: true, body: out };
  }

  /** A 2xx body in the shape of `version` (newest change undone first). */
  downgradeResponse(version: ApiVersion, key: string, body: unknown): unknown {
    const steps = this.steps(version, key);
    let out = body;
    for (let i = steps.length - 1; i >= 0; i--) {
      const r = steps[i]!.response;
      if (r) out = r.downgrade(out);
    }
    return out;
  }

  /** The service's OpenAPI document as it reads at `version`: the older schemas put back. */
  document(doc: Json, version: ApiVersion): Json {
    const out = structuredClone(doc);
    const newestFirst = this.#changes.filter((c) => c.date > version).reverse();
    for (const change of newestFirst) {
      for (const [key, t] of Object.entries(change.transforms) as [string, RouteChange][]) {
        const [method, path] = key.split(' ') as [string, string];
        const op = out.paths?.[path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[method.toLowerCase()] as
          Json | undefined;
        if (!op) continue;
        const json = op.requestBody?.content?.['application/json'];
        if (t.request && json) json.schema = plain(t.request.before);
        if (t.response)
          for (const [status, res] of Object.entries((op.responses ?? {}) as Json))
            if (/^2\d\d$/.test(status) && res?.content?.['application/json'])
              res.content['application/json'].schema = plain(t.response.before);
      }
    }
    out.info = { ...out.info, 'x-portico-api-version': version };
    return out;
  }
}

/** A TypeBox schema as plain JSON (no symbol keys). */
function plain(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json;
}
