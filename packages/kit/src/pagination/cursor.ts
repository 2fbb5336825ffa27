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
  /** Reads the sort and id values from a row (default: the unqualified column names). */
  keyOf?: (row: Row) => [unknown, unknown];
}

function encode(values: [unknown, unknown]): string {
  const norm = values.map((v) => (v instanceof Date ? { d: v.toISOString() } : v));
  return Buffer.from(JSON.stringify(norm)).toString('base64url');
}

function decode(cursor: string): [unknown, unknown] {
  try {
    const arr = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (!Array.isArray(arr) || arr.length !== 2) throw new Error('shape');
    return arr.map((v) =>
      v && typeof v === 'object' && 'd' in v ? new Date(String((v as { d: string }).d)) : v,
    ) as [unknown, unknown];
  } catch {
    throw AppError.validation([
      { field: 'cursor', code: 'invalid', message: 'is not a cursor this API issued' },
    ]);
  }
}

const bare = (col: string) => col.slice(col.lastIndexOf('.') + 1);

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
  let q = qb as SelectQueryBuilder<any, any, Row>;
  if (opts.cursor) {
    const [s, id] = decode(opts.cursor);
    const op = sql.raw(dir === 'asc' ? '>' : '<');
    q = q.where(sql<boolean>`(${sql.ref(opts.sort)}, ${sql.ref(idCol)}) ${op} (${s}, ${id})`);
  }
  const rows = (await q
    .orderBy(sql.ref(opts.sort), dir)
    .orderBy(sql.ref(idCol), dir)
    .limit(limit + 1)
    .execute()) as Row[];
  const has_more = rows.length > limit;
  const data = has_more ? rows.slice(0, limit) : rows;
  const last = data.at(-1) as Record<string, unknown> | undefined;
  const keyOf =
    opts.keyOf ??
    ((r: Row) => [
      (r as Record<string, unknown>)[bare(opts.sort)],
      (r as Record<string, unknown>)[bare(idCol)],
    ]);
  return { data, has_more, next_cursor: has_more && last ? encode(keyOf(last as Row)) : null };
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

/** Maps a page's rows (e.g. to the public shape) keeping the envelope. */
export function mapPage<A, B>(page: Page<A>, fn: (row: A) => B): Page<B> {
  return { data: page.data.map(fn), has_more: page.has_more, next_cursor: page.next_cursor };
}
