/**
 * Keyset (cursor) pagination, both ways: `?limit=` 1–100 (default 20) and an opaque position —
 * `?starting_after=` (the items after it; `?cursor=` is the same, kept for older clients) or
 * `?ending_before=` (the items before it). A page is `WHERE (sort, id) < (last sort, last id)
 * ORDER BY sort, id LIMIT n+1` (reversed for `ending_before`), so page 1,000 costs what page 1
 * costs, and rows inserted meanwhile never shift or repeat a page. Give each paged list an index
 * on `(sort, id)` (plus its filter columns first) so a page is an index range. A page carries
 * `next_cursor` and `prev_cursor` and a `Link` header with `first`, `prev` and `next` (RFC 8288).
 *
 * @example
 *   const page = await paginate(db.selectFrom('tasks').selectAll().where('owner_id', '=', me),
 *     { limit: req.query.limit, cursor: req.query.cursor, sort: 'created_at', direction: 'desc' });
 *   return sendPage(reply, page);
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { Type } from 'typebox';
import type { FastifyReply } from 'fastify';
import { AppError } from '../errors/problem.ts';

const Position = (description: string) => Type.Optional(Type.String({ maxLength: 512, description }));

export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1–100' }),
  ),
  starting_after: Position('The page after this position: a `next_cursor`'),
  ending_before: Position('The page before this position: a `prev_cursor`'),
  cursor: Position('The same as `starting_after` (older clients)'),
};

/** Page envelope schema for a list route's 200 response. */
export function PageOf<T extends ReturnType<typeof Type.Object>>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    has_more: Type.Boolean({ description: 'Whether a next page exists (`next_cursor` is not null)' }),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `starting_after`' }),
    prev_cursor: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: 'Pass as `ending_before`; null on the first page',
      }),
    ),
  });
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
  /** The position before the first item, when there are items before it (omitted: none). */
  prev_cursor?: string | null;
}

export interface PaginateOptions<Row> {
  limit?: number | undefined;
  /** The items after this position (`starting_after`, or a backward position from `ending_before`). */
  cursor?: string | undefined;
  /** A non-null column to order by (qualified if the query joins), e.g. `created_at`. */
  sort: string;
  direction?: 'asc' | 'desc';
  /** Unique tie-breaker column; default `id`. */
  id?: string;
  /** Reads the id value from a row (default: the unqualified id column); the sort value is read by SQL. */
  keyOf?: (row: Row) => [unknown, unknown];
}

interface CursorState {
  /** Sort column and direction the cursor was issued for. */
  s: string;
  d: 'asc' | 'desc';
  /** The last row's sort value (its exact text form) and id. */
  v: string | null;
  i: unknown;
  /** 1: the items *before* this position (set from `ending_before`, never issued in a page). */
  b?: 1;
}

function encode(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

const invalidCursor = () =>
  AppError.validation([
    {
      field: 'cursor',
      code: 'invalid',
      message: 'is not a cursor this list issued (or it was issued for another sort)',
    },
  ]);

function decode(cursor: string, sort: string, dir: 'asc' | 'desc'): CursorState {
  let state: CursorState;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
  } catch {
    throw invalidCursor();
  }
  if (
    !state ||
    typeof state !== 'object' ||
    state.s !== sort ||
    state.d !== dir ||
    !('v' in state) ||
    state.i === undefined
  ) {
    throw invalidCursor();
  }
  return state;
}

const CURSOR_SORT = '__portico_cursor_sort';
const bare = (col: string) => col.slice(col.lastIndexOf('.') + 1);

/** A malformed value that reached SQL (e.g. a tampered timestamp): the client's fault, not ours. */
function isDataException(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (
    (typeof e.code === 'string' && e.code.startsWith('22')) ||
    /invalid input syntax|out of range/i.test(String(e.message))
  );
}

export async function paginate<DB, TB extends keyof DB, Row>(
  qb: SelectQueryBuilder<DB, TB, Row>,
  opts: PaginateOptions<Row>,
): Promise<Page<Row>> {
  const limit = opts.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw AppError.validation([
      { field: 'limit', code: 'out_of_range', message: 'must be between 1 and 100' },
    ]);
  }
  const dir = opts.direction ?? 'desc';
  const idCol = opts.id ?? 'id';
  // The cursor keeps the sort value's exact text (microsecond timestamps, 'infinity', bigints):
  // a JavaScript Date would round to milliseconds and skip or repeat rows between pages.
  let q = (qb as SelectQueryBuilder<any, any, Row>).select(
    sql<string>`${sql.ref(opts.sort)}::text`.as(CURSOR_SORT),
  );
  const from = opts.cursor ? decode(opts.cursor, opts.sort, dir) : undefined;
  // Backward: read the other way from the position, then put the page back in list order.
  const backward = from?.b === 1;
  const readDir = backward ? (dir === 'asc' ? 'desc' : 'asc') : dir;
  if (from) {
    const op = sql.raw(readDir === 'asc' ? '>' : '<');
    q = q.where(sql<boolean>`(${sql.ref(opts.sort)}, ${sql.ref(idCol)}) ${op} (${from.v}, ${from.i})`);
  }
  let rows: (Row & { [CURSOR_SORT]?: string })[];
  try {
    rows = (await q
      .orderBy(sql.ref(opts.sort), readDir)
      .orderBy(sql.ref(idCol), readDir)
      .limit(limit + 1)
      .execute()) as typeof rows;
  } catch (err) {
    if (opts.cursor && isDataException(err)) throw invalidCursor();
    throw err;
  }
  const beyond = rows.length > limit;
  const data = beyond ? rows.slice(0, limit) : rows;
  if (backward) data.reverse();
  const position = (row: (typeof data)[number] | undefined): string | null => {
    if (!row) return null;
    const id = opts.keyOf ? opts.keyOf(row)[1] : (row as Record<string, unknown>)[bare(idCol)];
    return encode({
      s: opts.sort,
      d: dir,
      v: row[CURSOR_SORT] ?? null,
      i: id instanceof Date ? id.toISOString() : id,
    });
  };
  // Forward: more after when the read overflowed; items before whenever we started past one.
  // Backward: the reverse; the position we came from is itself after this page.
  const hasNext = backward ? data.length > 0 : beyond;
  const hasPrev = backward ? beyond : from !== undefined && data.length > 0;
  const next_cursor = hasNext ? position(data.at(-1)) : null;
  const prev_cursor = hasPrev ? position(data[0]) : null;
  for (const r of data) delete r[CURSOR_SORT];
  return { data: data as Row[], has_more: next_cursor !== null, next_cursor, prev_cursor };
}

/** `ending_before`'s position as a cursor that reads backward (or undefined if it is not one of ours). */
export function backwardCursor(position: string): string | undefined {
  try {
    const state = JSON.parse(Buffer.from(position, 'base64url').toString('utf8')) as CursorState;
    if (!state || typeof state !== 'object' || Array.isArray(state)) return undefined;
    return encode({ ...state, b: 1 });
  } catch {
    return undefined;
  }
}

/**
 * Sends a page with its `Link` header (RFC 8288): `first`, and `prev` / `next` when those pages
 * exist, each the request's own URL with only the position changed.
 */
export function sendPage<T>(reply: FastifyReply, page: Page<T>): Page<T> {
  const url = new URL(reply.request.url, 'http://x');
  for (const name of POSITION_PARAMS) url.searchParams.delete(name);
  const link = (rel: string, param?: string, position?: string) => {
    const u = new URL(url);
    if (param && position) u.searchParams.set(param, position);
    return `<${u.pathname}${u.search}>; rel="${rel}"`;
  };
  // `next` first: clients written when it was the only link read the first URL.
  const links: string[] = [];
  if (page.next_cursor) links.push(link('next', 'starting_after', page.next_cursor));
  if (page.prev_cursor) links.push(link('prev', 'ending_before', page.prev_cursor));
  links.push(link('first'));
  reply.header('link', links.join(', '));
  return { ...page, prev_cursor: page.prev_cursor ?? null };
}

const POSITION_PARAMS = ['cursor', 'starting_after', 'ending_before'] as const;

/**
 * A list route in one call: reads `limit` and `cursor` from the request's query (the
 * `PageQuery` schema), pages `qb`, maps each row to its public shape and sends the page with
 * its `Link` header.
 *
 * @example
 *   return listPage(reply, db.selectFrom('users').selectAll(), { sort: 'created_at' }, toPublicUser);
 */
export async function listPage<DB, TB extends keyof DB, Row, Out>(
  reply: FastifyReply,
  qb: SelectQueryBuilder<DB, TB, Row>,
  opts: Omit<PaginateOptions<Row>, 'limit' | 'cursor'>,
  map: (row: Row) => Out,
): Promise<Page<Out>> {
  const { limit, cursor } = reply.request.query as { limit?: number; cursor?: string };
  return sendPage(reply, mapPage(await paginate(qb, { ...opts, limit, cursor }), map));
}

/** Maps a page's rows (e.g. to the public shape) keeping the envelope. */
export function mapPage<A, B>(page: Page<A>, fn: (row: A) => B): Page<B> {
  return {
    data: page.data.map(fn),
    has_more: page.has_more,
    next_cursor: page.next_cursor,
    prev_cursor: page.prev_cursor ?? null,
  };
}

/**
 * Reads `starting_after` and `ending_before` into the `cursor` every list route already passes
 * to `paginate()` (run by the kit before validation, on routes whose query has `PageQuery`), so
 * paging both ways needs nothing in a route. One position at most: two are a 422.
 */
export function readPositions(query: Record<string, unknown>): void {
  const given = POSITION_PARAMS.filter((name) => query[name] !== undefined);
  if (given.length > 1)
    throw AppError.validation(
      given.slice(1).map((field) => ({
        field,
        code: 'conflicts',
        message: `cannot be combined with ${given[0]}`,
      })),
    );
  const after = query.starting_after;
  if (typeof after === 'string') {
    query.cursor = after;
    delete query.starting_after;
  }
  const before = query.ending_before;
  if (typeof before === 'string') {
    const cursor = backwardCursor(before);
    if (cursor === undefined)
      throw AppError.validation([
        { field: 'ending_before', code: 'invalid', message: 'is not a position this list issued' },
      ]);
    query.cursor = cursor;
    delete query.ending_before;
  }
}
