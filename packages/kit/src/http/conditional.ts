/**
 * Conditional requests (RFC 9110 §13, §8.8.3) on every route, with nothing per route:
 *
 * - A GET of one resource (its route's last path parameter is the id of a row in a versioned
 *   table, db/row-versions.ts, and the body is that row: same `id`) answers with a strong
 *   `ETag: "v<version>"`. The version is read *before* the handler, so the tag is never newer
 *   than the body. Any other JSON GET (a list, a report) gets a weak ETag over its bytes
 *   (§8.8.1: a weak tag promises equivalent content, which is all a list can).
 * - `If-None-Match` matching it → 304 without a body — decided only after the handler answered
 *   200, so another user's resource still answers 404 (docs/api-conventions.md).
 * - A write addressing a resource (POST action, PATCH, PUT, DELETE with an id in the path)
 *   carries its `If-Match` to the row's trigger, which refuses a stale one with 412
 *   `precondition_failed` at the moment the row is written. A route whose lost updates cost
 *   money or grades declares `config: { ifMatch: 'required' }`: without `If-Match` it answers
 *   428 `precondition_required` (RFC 6585 §3) whatever the id, so the answer reveals nothing.
 *   A successful write of the row answers with its new ETag.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { ServiceApp } from '../service.ts';
import { AppError } from '../errors/problem.ts';
import { currentScope } from '../runtime/scope.ts';
import { currentVersion, type RowPrecondition } from '../db/row-versions.ts';
import { LATEST_API_VERSION } from '../versions/calendar.ts';
import { declareConditional, type ConditionalRoute } from './conditional-openapi.ts';
import { transformDocument } from './app.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `required`: a write without `If-Match` answers 428 (products, invoices, grades, stock). */
    ifMatch?: 'required';
    /** The path parameter naming the row the route reads or writes; default: the last one. */
    resourceParam?: string;
  }
}

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * A row version's strong ETag. Older API versions see another representation of the same row
 * (versions/chain.ts), and a strong validator names one representation (RFC 9110 §8.8.1), so an
 * answer at an older version names it too: `"v7.2026-01-01"`; at the latest, `"v7"`.
 */
export const etagOf = (version: number, apiVersion?: string): string =>
  apiVersion === undefined || apiVersion === LATEST_API_VERSION
    ? `"v${version}"`
    : `"v${version}.${apiVersion}"`;

/**
 * The versions an `If-Match` names (§13.1.1 compares strongly: a weak tag never matches), `'*'`,
 * or null when the header is absent. A tag this service never issued names no version, so the
 * write fails its precondition, as §13.1.1 requires.
 */
export function parseIfMatch(header: string | undefined): readonly number[] | '*' | null {
  if (header === undefined || header.trim() === '') return null;
  if (header.trim() === '*') return '*';
  const versions: number[] = [];
  for (const tag of header.split(',')) {
    // The row version is what a write is checked against, whatever API version the tag names.
    const m = /^\s*"v(\d{1,9})(?:\.\d{4}-\d{2}-\d{2})?"\s*$/.exec(tag);
    if (m) versions.push(Number(m[1]));
  }
  return versions;
}

/** §13.1.2: `If-None-Match` compares weakly; `*` matches any current representation. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || opaque(t) === opaque(etag));
}

/** The id a request addresses: the route's `resourceParam`, else its last path parameter. */
function addressedId(req: FastifyRequest): string | undefined {
  const params = req.params as Record<string, unknown> | undefined;
  if (!params) return undefined;
  const name = req.routeOptions.config?.resourceParam;
  const value = name === undefined ? Object.values(params).at(-1) : params[name];
  return typeof value === 'string' && value !== '' && !value.includes('\t') ? value : undefined;
}

/** Over the newest shape's bytes, and the API version that reshapes them for this client. */
function weakEtag(body: string, apiVersion: string | undefined): string {
  const hash = createHash('sha256').update(body);
  if (apiVersion !== undefined && apiVersion !== LATEST_API_VERSION) hash.update(`\n${apiVersion}`);
  return `W/"${hash.digest('base64url').slice(0, 27)}"`;
}

export interface ConditionalOptions {
  db: Kysely<any>;
  /** The service's versioned tables (`versionedTables()` after its migrations). */
  tables: readonly string[];
}

interface RequestState {
  /** The addressed row's version, read before a GET's handler. */
  read?: number;
  write?: RowPrecondition;
  /** The addressed id, and whether the body is that row (its `id`). */
  target: string;
  bodyIsTarget: boolean;
}

export function installConditionalRequests(app: ServiceApp, opts: ConditionalOptions): void {
  const states = new WeakMap<FastifyRequest, RequestState>();
  const routes: ConditionalRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.schema?.hide) return;
    for (const method of methods)
      routes.push({ method, url: route.url, required: route.config?.ifMatch === 'required' });
  });
  transformDocument(app, (doc) => declareConditional(doc, routes));

  // Runs inside the request's scope (entered by http/app.ts), where the driver reads it.
  app.addHook('preHandler', async (req) => {
    const write = WRITES.has(req.method);
    const expected = write ? parseIfMatch(header(req.headers['if-match'])) : null;
    if (write && expected === null && req.routeOptions.config?.ifMatch === 'required')
      throw new AppError('precondition_required', 'Send If-Match with the ETag from your last read');
    const target = addressedId(req);
    if (target === undefined || opts.tables.length === 0) return;
    const state: RequestState = { target, bodyIsTarget: false };
    states.set(req, state);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const version = await currentVersion(opts.db, opts.tables, target);
      if (version !== undefined) state.read = version;
      return;
    }
    const scope = currentScope();
    if (!write || !scope) return;
    // Without If-Match the trigger only records the write, for the response's ETag.
    state.write = { target, expected };
    scope.precondition = state.write;
  });

  app.addHook('preSerialization', async (req, _reply, payload) => {
    const state = states.get(req);
    if (state && payload !== null && typeof payload === 'object')
      state.bodyIsTarget = (payload as { id?: unknown }).id === state.target;
    return payload;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const status = reply.statusCode;
    if (status < 200 || status >= 300) return payload;
    const state = states.get(req);
    const written = state?.write?.written;
    const apiVersion = (req as { apiVersion?: string }).apiVersion;
    if (typeof written === 'number' && state?.bodyIsTarget) {
      reply.header('etag', etagOf(written, apiVersion));
      return payload;
    }
    if (status !== 200 || (req.method !== 'GET' && req.method !== 'HEAD')) return payload;
    let etag: string | undefined;
    if (state?.read !== undefined && state.bodyIsTarget) etag = etagOf(state.read, apiVersion);
    else if (typeof payload === 'string' && String(reply.getHeader('content-type')).includes('json'))
      etag = weakEtag(payload, apiVersion);
    if (etag === undefined) return payload;
    reply.header('etag', etag);
    if (!noneMatch(header(req.headers['if-none-match']), etag)) return payload;
    // §15.4.5: a 304 has no content; it keeps the validator, not the representation's type.
    reply.code(304);
    reply.removeHeader('content-type');
    reply.removeHeader('content-length');
    return '';
  });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}
