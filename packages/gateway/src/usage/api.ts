/**
 * The answers of `GET /api/v1/usage` and `GET /api/v1/usage/deprecated` (routes.ts), read
 * from the usage store. A caller sees their own usage; `user_id` / `api_key_id` (or `key`)
 * naming someone else's is a 404 as if it did not exist, unless the caller holds
 * `usage.permission`. What the gateways recorded appears after their next flush.
 */
import { permissionScope, type FieldError } from '@portico/kit';
import { writeJson } from '../edge/respond.ts';
import type { RequestContext } from '../pipeline/context.ts';
import type { UsageFilter, UsageStore } from './store.ts';

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
/** The longest window a report covers (minute series: one day). */
const MAX_DAYS = 400;

interface Window {
  from: number;
  to: number;
}

function parseInstant(q: URLSearchParams, field: string, errors: FieldError[]): number | undefined {
  const raw = q.get(field);
  if (raw === null) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw)
    ? Date.parse(raw)
    : NaN;
  if (Number.isNaN(t)) {
    errors.push({ field, code: 'invalid_format', message: 'must be an RFC 3339 date or date-time' });
    return undefined;
  }
  return t;
}

/** `from` / `to` (defaults: the last `defaultMs` up to now), minutes aligned, `to` exclusive. */
function parseWindow(q: URLSearchParams, errors: FieldError[], defaultMs: number, maxMs: number): Window {
  const now = Date.now();
  const n = errors.length;
  const toT = parseInstant(q, 'to', errors);
  const fromT = parseInstant(q, 'from', errors);
  const to = toT ?? now + MINUTE;
  const from = fromT ?? to - defaultMs;
  if (errors.length === n) {
    if (from >= to) errors.push({ field: 'from', code: 'out_of_range', message: 'must be before to' });
    else if (to - from > maxMs)
      errors.push({
        field: 'from',
        code: 'out_of_range',
        message: `the window may span at most ${Math.round(maxMs / DAY)} day(s)`,
      });
  }
  return { from, to };
}

const fromMinute = (t: number) => Math.floor(t / MINUTE);
const toMinute = (t: number) => Math.ceil(t / MINUTE);
const iso = (minute: number) => new Date(minute * MINUTE).toISOString();

function invalid(ctx: RequestContext, errors: FieldError[]): void {
  const n = errors.length;
  ctx.problem('validation_failed', `${n} field${n === 1 ? ' is' : 's are'} invalid`, errors);
}

function id(q: URLSearchParams, field: string, errors: FieldError[]): string | undefined {
  const v = q.get(field);
  if (v === null) return undefined;
  if (!ID.test(v))
    errors.push({ field, code: 'invalid_format', message: 'must be an id (letters, digits, - and _)' });
  return v;
}

/** The usage store, or undefined once a 503 is answered (no store on this gateway). */
function storeOf(ctx: RequestContext): UsageStore | undefined {
  const store = ctx.gw.usage?.store;
  if (store !== undefined) return store;
  ctx.headers.push(['retry-after', '30']);
  ctx.problem('service_unavailable', 'This gateway has no usage store (docs/usage.md)');
  return undefined;
}

export async function usageReport(ctx: RequestContext): Promise<void> {
  const store = storeOf(ctx);
  if (store === undefined) return;
  const q = new URLSearchParams(ctx.query.slice(1));
  const errors: FieldError[] = [];
  const rawInterval = q.get('interval') ?? 'day';
  const interval = rawInterval === 'minute' ? 'minute' : 'day';
  if (rawInterval !== 'day' && rawInterval !== 'minute')
    errors.push({
      field: 'interval',
      code: 'not_allowed',
      message: 'must be day or minute',
      allowed: ['day', 'minute'],
    });
  const window =
    interval === 'minute'
      ? parseWindow(q, errors, 60 * MINUTE, DAY)
      : parseWindow(q, errors, 7 * DAY, MAX_DAYS * DAY);
  const userId = id(q, 'user_id', errors);
  const apiKeyId = id(q, 'api_key_id', errors);
  const key = id(q, 'key', errors);
  if (key !== undefined && apiKeyId !== undefined && key !== apiKeyId)
    errors.push({ field: 'key', code: 'conflicts', message: 'names another key than api_key_id' });
  const route = q.get('route') ?? undefined;
  if (route !== undefined && !/^\/[\x21-\x7e]{0,299}$/.test(route))
    errors.push({
      field: 'route',
      code: 'invalid_format',
      message: 'must be a route template such as /api/v1/tasks/{id}',
    });
  const rawStatus = q.get('status');
  if (rawStatus !== null && !/^[1-5]\d\d$/.test(rawStatus))
    errors.push({ field: 'status', code: 'out_of_range', message: 'must be an HTTP status from 100 to 599' });
  if (errors.length) return invalid(ctx, errors);

  const caller = ctx.principal.caller;
  const me = caller.id!;
  const admin = permissionScope(caller.permissions, ctx.rt.config.usage.permission) !== false;
  const keyId = apiKeyId ?? key;
  const filter: UsageFilter = {
    fromMinute: fromMinute(window.from),
    toMinute: toMinute(window.to),
    ...(route !== undefined && { route }),
    ...(rawStatus !== null && { status: Number(rawStatus) }),
  };
  if (admin) {
    // An admin names anyone (or no one: their own usage).
    if (userId !== undefined) filter.userId = userId;
    if (keyId !== undefined) filter.apiKeyId = keyId;
    if (userId === undefined && keyId === undefined) filter.userId = me;
  } else {
    // Another user's usage is not found. A key of theirs is known by its rows in the window (a
    // key belongs to one user); a key with none there has nothing to show, to anyone: 200, empty.
    if (
      (userId !== undefined && userId !== me) ||
      (keyId !== undefined && (await store.keyUsedByOther(keyId, me, filter)))
    ) {
      ctx.problem('not_found', 'No usage of yours under this user or API key');
      return;
    }
    filter.userId = me;
    if (keyId !== undefined) filter.apiKeyId = keyId;
  }
  const report = await store.report(filter, interval);
  ctx.headers.push(['cache-control', 'no-store']);
  writeJson(ctx.res, 200, ctx.headers, {
    user_id: filter.userId ?? null,
    api_key_id: filter.apiKeyId ?? null,
    from: iso(filter.fromMinute),
    to: iso(filter.toMinute),
    interval,
    ...report,
    series: report.series.map((s) => ({ at: iso(s.at), requests: s.requests })),
  });
  ctx.done(200);
}

export async function deprecatedCallers(ctx: RequestContext): Promise<void> {
  const store = storeOf(ctx);
  if (store === undefined) return;
  const q = new URLSearchParams(ctx.query.slice(1));
  const errors: FieldError[] = [];
  const window = parseWindow(q, errors, 30 * DAY, MAX_DAYS * DAY);
  if (errors.length) return invalid(ctx, errors);
  const filter = { fromMinute: fromMinute(window.from), toMinute: toMinute(window.to) };
  const callers = await store.deprecatedCallers(filter);
  ctx.headers.push(['cache-control', 'no-store']);
  writeJson(ctx.res, 200, ctx.headers, {
    from: iso(filter.fromMinute),
    to: iso(filter.toMinute),
    data: callers.map(({ last_minute, ...c }) => ({ ...c, last_seen: iso(last_minute) })),
  });
  ctx.done(200);
}
