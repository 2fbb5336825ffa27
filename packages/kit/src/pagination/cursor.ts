/**
 * Keyset (cursor) pagination: `?limit=` 1–100 (default 20) and an opaque `?cursor=`. A page
 * is `WHERE (sort, id) < (last sort, last id) ORDER BY sort, id LIMIT n+1`, so page 1,000
 * costs what page 1 costs, and rows inserted meanwhile never shift or repeat a page. Give each
 * paged list an index on `(sort, id)` (plus its filter columns first) so a page is an index range.
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

export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, 1–100' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from `next_cursor`' })),
};

/** Page envelope schema for a list route's 200 response. */
export function PageOf<T extends ReturnType<typeof Type.Object>>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    has_more: Type.Boolean(),
    next_cursor: Type.Union([Type.String(), Type.Null()]),
  });
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface PaginateOptions<Row> {
  limit?: number | undefined;
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
    throw AppError.validation([{ field: 'limit', code: 'range', message: 'must be between 1 and 100' }]);
  }
  const dir = opts.direction ?? 'desc';
  const idCol = opts.id ?? 'id';
  // The cursor keeps the sort value's exact text (microsecond timestamps, 'infinity', bigints):
  // a JavaScript Date would round to milliseconds and skip or repeat rows between pages.
  let q = (qb as SelectQueryBuilder<any, any, Row>).select(
    sql<string>`${sql.ref(opts.sort)}::text`.as(CURSOR_SORT),
  );
  if (opts.cursor) {
    const c = decode(opts.cursor, opts.sort, dir);
    const op = sql.raw(dir === 'asc' ? '>' : '<');
    q = q.where(sql<boolean>`(${sql.ref(opts.sort)}, ${sql.ref(idCol)}) ${op} (${c.v}, ${c.i})`);
  }
  let rows: (Row & { [CURSOR_SORT]?: string })[];
  try {
    rows = (await q
      .orderBy(sql.ref(opts.sort), dir)
      .orderBy(sql.ref(idCol), dir)
      .limit(limit + 1)
      .execute()) as typeof rows;
  } catch (err) {
    if (opts.cursor && isDataException(err)) throw invalidCursor();
    throw err;
  }
  const has_more = rows.length > limit;
  const data = has_more ? rows.slice(0, limit) : rows;
  const last = data.at(-1);
  let next_cursor: string | null = null;
  if (has_more && last) {
    const id = opts.keyOf ? opts.keyOf(last)[1] : (last as Record<string, unknown>)[bare(idCol)];
    next_cursor = encode({
      s: opts.sort,
      d: dir,
      v: last[CURSOR_SORT] ?? null,
      i: id instanceof Date ? id.toISOString() : id,
    });
  }
  for (const r of data) delete r[CURSOR_SORT];
  return { data: data as Row[], has_more, next_cursor };
}

/** Sends a page with its `Link: <…>; rel="next"` header (RFC 8288). */
export function sendPage<T>(reply: FastifyReply, page: Page<T>): Page<T> {
  if (page.next_cursor) {
    const url = new URL(reply.request.url, 'http://x');
    url.searchParams.set('cursor', page.next_cursor);
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return page;
}

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
  return { data: page.data.map(fn), has_more: page.has_more, next_cursor: page.next_cursor };
}
