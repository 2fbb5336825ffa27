/**
 * `GET /api/v1/ops/dead-letters` and `POST /api/v1/ops/dead-letters/{service}/{id}/replay`:
 * every service's parked events, read from each service's operator routes
 * (`/internal/dead-letters`, kit `start-service.ts`) with a passport the gateway mints for
 * itself (`service: gateway`) naming the admin who asked. The permission was checked by the
 * authorization step before; the services accept these passports from the gateway and the CLI
 * only, and no client request is ever forwarded to `/internal/`.
 */
import { PASSPORT_HEADER, type DeadLetter } from '@portico/kit/runtime';
import type { Caller, EventEnvelope, FieldError } from '@portico/kit';
import { writeJson } from '../edge/respond.ts';
import { principal } from '../auth/principal.ts';
import { callService } from '../upstream/call.ts';
import type { UpstreamService } from '../upstream/service.ts';
import type { RequestContext } from '../pipeline/context.ts';
import { redactData } from './redact.ts';

const TIMEOUT_MS = 5000;
const STATUSES = ['parked', 'replayed', 'all'] as const;
const ID = /^[A-Za-z0-9_-]{1,100}$/;

/** One letter as a service's operator route lists it: the kit's `DeadLetter`, as JSON. */
type ServiceLetter = Omit<DeadLetter, 'created_at' | 'replayed_at' | 'event'> & {
  created_at: string;
  replayed_at: string | null;
  event?: Partial<Pick<EventEnvelope, 'source' | 'subject' | 'time' | 'data'>>;
};

export interface OpsDeadLetter {
  service: string;
  id: string;
  consumer: string;
  event_id: string;
  event_type: string;
  event_source: string | null;
  event_subject: string | null;
  event_time: string | null;
  data: unknown;
  error: string;
  attempts: number;
  status: 'parked' | 'replayed';
  created_at: string;
  replayed_at: string | null;
}

/** The passport for `service` the gateway carries on behalf of the signed-in admin. */
function passportFor(ctx: RequestContext, service: string): string {
  const caller: Caller = {
    id: ctx.principal.caller.id,
    roles: [],
    permissions: [],
    auth: 'service',
    service: 'gateway',
  };
  return ctx.gw.mint.for(principal(caller, Infinity, []), service, Date.now());
}

function call(ctx: RequestContext, svc: UpstreamService, method: 'GET' | 'POST', path: string) {
  return callService(svc, {
    method,
    path,
    headers: { accept: 'application/json', [PASSPORT_HEADER]: passportFor(ctx, svc.name) },
    timeoutMs: TIMEOUT_MS,
  });
}

function view(service: string, d: ServiceLetter): OpsDeadLetter {
  return {
    service,
    id: d.id,
    consumer: d.consumer,
    event_id: d.event_id,
    event_type: d.event_type,
    event_source: d.event?.source ?? null,
    event_subject: d.event?.subject ?? null,
    event_time: d.event?.time ?? null,
    data: redactData(d.event?.data ?? null),
    error: d.error,
    attempts: d.attempts,
    status: d.status,
    created_at: new Date(d.created_at).toISOString(),
    replayed_at: d.replayed_at === null ? null : new Date(d.replayed_at).toISOString(),
  };
}

type Key = [string, string, string];
const keyOf = (d: OpsDeadLetter): Key => [d.created_at, d.service, d.id];
/** Newest first; ties by service, then id. */
function compare(a: Key, b: Key): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? 1 : -1;
  return 0;
}

function decodeCursor(cursor: string): Key | null {
  try {
    const k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(k) && k.length === 3 && k.every((v) => typeof v === 'string') ? (k as Key) : null;
  } catch {
    return null;
  }
}

interface ListQuery {
  status: (typeof STATUSES)[number];
  limit: number;
  after: Key | null;
  service: string | null;
}

function parseQuery(ctx: RequestContext): ListQuery | FieldError[] {
  const q = new URLSearchParams(ctx.query.slice(1));
  const errors: FieldError[] = [];
  const status = q.get('status') ?? 'parked';
  if (!(STATUSES as readonly string[]).includes(status))
    errors.push({ field: 'status', code: 'enum', message: 'must be parked, replayed or all' });
  const rawLimit = q.get('limit') ?? '20';
  const limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN;
  if (!(limit >= 1 && limit <= 100))
    errors.push({ field: 'limit', code: 'range', message: 'must be an integer from 1 to 100' });
  const cursor = q.get('cursor');
  const after = cursor === null ? null : decodeCursor(cursor);
  if (cursor !== null && after === null)
    errors.push({ field: 'cursor', code: 'format', message: 'is not a cursor this route returned' });
  const service = q.get('service');
  if (service !== null && !ctx.rt.services.has(service))
    errors.push({ field: 'service', code: 'enum', message: 'is not a configured service' });
  if (errors.length) return errors;
  return { status: status as ListQuery['status'], limit, after, service };
}

/** Every service's letters in `status`, and the services that could not say. */
async function gather(
  ctx: RequestContext,
  services: UpstreamService[],
  status: ListQuery['status'],
): Promise<{ letters: OpsDeadLetter[]; unreachable: string[] }> {
  const letters: OpsDeadLetter[] = [];
  const unreachable: string[] = [];
  await Promise.all(
    services.map(async (svc) => {
      try {
        const res = await call(ctx, svc, 'GET', `/internal/dead-letters?status=${status}`);
        // 404: not a service built on the kit (it has no dead letters to show).
        if (res.status === 404) return;
        const data = (res.json as { data?: unknown } | null)?.data;
        if (res.status !== 200 || !Array.isArray(data)) throw new Error(`answered ${res.status}`);
        for (const d of data as ServiceLetter[]) letters.push(view(svc.name, d));
      } catch (err) {
        ctx.gw.log.warn({ err, service: svc.name, request_id: ctx.requestId }, 'dead letters not listed');
        unreachable.push(svc.name);
      }
    }),
  );
  return { letters, unreachable: unreachable.sort() };
}

export async function listDeadLetters(ctx: RequestContext): Promise<void> {
  const query = parseQuery(ctx);
  if (Array.isArray(query)) {
    const n = query.length;
    ctx.problem('validation_failed', `${n} field${n === 1 ? ' is' : 's are'} invalid`, query);
    return;
  }
  const services = [...ctx.rt.services.values()].filter(
    (s) => query.service === null || s.name === query.service,
  );
  const { letters, unreachable } = await gather(ctx, services, query.status);
  const sorted = letters
    .filter((d) => query.after === null || compare(keyOf(d), query.after) > 0)
    .sort((a, b) => compare(keyOf(a), keyOf(b)));
  const page = sorted.slice(0, query.limit);
  const hasMore = sorted.length > query.limit;
  const next = hasMore ? Buffer.from(JSON.stringify(keyOf(page.at(-1)!))).toString('base64url') : null;
  if (next !== null) {
    const q = new URLSearchParams(ctx.query.slice(1));
    q.set('cursor', next);
    ctx.headers.push(['link', `<${ctx.path}?${q.toString()}>; rel="next"`]);
  }
  ctx.headers.push(['cache-control', 'no-store']);
  writeJson(ctx.res, 200, ctx.headers, { data: page, has_more: hasMore, next_cursor: next, unreachable });
  ctx.done(200);
}

export async function replayDeadLetter(ctx: RequestContext): Promise<void> {
  const [service = '', id = ''] = ctx.params.map((p) => decodeURIComponent(p));
  const svc = ctx.rt.services.get(service);
  if (!svc || !ID.test(id)) {
    ctx.problem('not_found', 'No dead letter with this id at this service');
    return;
  }
  let res: { status: number; json: unknown };
  try {
    res = await call(ctx, svc, 'POST', `/internal/dead-letters/${encodeURIComponent(id)}/replay`);
  } catch (err) {
    ctx.gw.log.warn({ err, service, request_id: ctx.requestId }, 'dead letter replay not sent');
    ctx.headers.push(['retry-after', '5']);
    ctx.problem('service_unavailable', `${service} did not answer`);
    return;
  }
  const code = (res.json as { code?: unknown } | null)?.code;
  ctx.gw.log.info(
    {
      admin: ctx.principal.caller.id,
      service,
      dead_letter: id,
      status: res.status,
      request_id: ctx.requestId,
    },
    'dead letter replay',
  );
  if (res.status === 200) {
    ctx.headers.push(['cache-control', 'no-store']);
    writeJson(ctx.res, 200, ctx.headers, { service, id, status: 'replayed' });
    ctx.done(200);
  } else if (res.status === 404) ctx.problem('not_found', 'No dead letter with this id at this service');
  else if (res.status === 409 && code === 'invalid_state')
    ctx.problem('invalid_state', 'The letter was replayed already');
  else if (res.status === 409)
    ctx.problem('conflict', 'The consumer failed again: the letter stays parked with the new error');
  else ctx.problem('bad_gateway', `${service} answered ${res.status}`);
}
