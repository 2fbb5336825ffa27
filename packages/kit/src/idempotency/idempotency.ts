/**
 * `Idempotency-Key` for a service's POST routes (docs/api-conventions.md; the IETF
 * httpapi-idempotency-key-header draft): same key + same body within 24 h → the stored response
 * with `Idempotent-Replayed: true`; same key + another body → 422; while the first is still
 * running → 409 with `Retry-After`. Keys are scoped per caller and stored in the service's own
 * database, which is the one owner of the key's state (the gateway only caches final answers).
 * The key's grammar is `key.ts` (shared with the gateway); a route opts out with
 * `config: { idempotency: false }` in its route options.
 *
 * The `in_progress` record is a lease (`owner`, `locked_until`), not a lock: it lasts the
 * request's deadline (`PORTICO_IDEMPOTENCY_LEASE_MS`, default 30 s, the gateway's default total
 * timeout) and is released at once when the attempt fails (5xx, client gone). A retry finding
 * the lease expired — the process holding it died — takes it over and runs the handler again;
 * the transactions the earlier attempt committed replay their recorded results (`steps.ts`), so
 * a retry after the work committed answers with the committed result, and nothing runs twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/problem.ts';
import type { ServiceApp } from '../service.ts';
import { withLease, type Lease } from './steps.ts';
import { invalidIdempotencyKeyError, isValidIdempotencyKey } from './key.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false`: the route ignores `Idempotency-Key` (nothing is checked, stored or replayed) —
     * for answers that must never be kept, such as tokens. The one opt-out; default on.
     */
    idempotency?: boolean;
  }
}

const TTL_HOURS = 24;
export const DEFAULT_LEASE_MS = 30_000;
const reserved = Symbol('idempotency-lease');

type WithLease = FastifyRequest & { [reserved]?: Lease };

interface Row {
  request_hash: string;
  state: string;
  status_code: number;
  headers: Record<string, string> | string | null;
  body: string | null;
  wait_ms: number | null;
}

function requestHash(req: FastifyRequest): string {
  return createHash('sha256')
    .update(req.method)
    .update('\0')
    .update(req.url)
    .update('\0')
    .update(JSON.stringify(req.body ?? null))
    .digest('base64url');
}

function stepsOf(value: unknown): unknown[] {
  const v = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return Array.isArray(v) ? v : [];
}

export interface IdempotencyOptions {
  /** How long an attempt holds its key before a retry may take it over (ms). */
  leaseMs?: number;
  /** Where a failure to settle a key is reported (the lease then simply expires). */
  warn?: (err: unknown, msg: string) => void;
}

export function installIdempotency(app: ServiceApp, db: Kysely<any>, opts: IdempotencyOptions = {}): void {
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const warn = opts.warn ?? (() => {});

  /** Ends an attempt that produced no answer to keep: its lease is released for the retry. */
  const release = async (lease: Lease) => {
    // Committed steps must survive (the retry replays them); with none, the key is forgotten.
    if (lease.steps.length > 0)
      await sql`update kit_idempotency set locked_until = now()
                where caller = ${lease.caller} and key = ${lease.key} and owner = ${lease.owner}
                and state = 'in_progress'`.execute(db);
    else
      await sql`delete from kit_idempotency where caller = ${lease.caller} and key = ${lease.key}
                and owner = ${lease.owner} and state = 'in_progress'`.execute(db);
  };

  // Every route handler runs with its request's lease in scope, so `deps.tx` can record steps.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: unknown, req: WithLease, reply: FastifyReply) {
      const lease = req[reserved];
      return lease
        ? withLease(lease, () => handler.call(this as never, req, reply))
        : handler.call(this as never, req, reply);
    } as typeof handler;
  });

  app.addHook('preHandler', async (req: WithLease, reply: FastifyReply) => {
    if (req.method !== 'POST' || req.routeOptions.config.idempotency === false) return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (!isValidIdempotencyKey(key)) throw AppError.validation([{ ...invalidIdempotencyKeyError }]);
    // Anonymous callers are told apart by the client address the passport vouches for: behind a
    // gateway every request comes from the gateway's own address (req.ip).
    const caller = req.caller.id ?? `anon:${req.caller.apiKeyId ?? req.caller.clientIp ?? req.ip}`;
    const hash = requestHash(req);
    const owner = randomUUID();
    await sql`delete from kit_idempotency where caller = ${caller} and key = ${key}
              and created_at < now() - make_interval(hours => ${TTL_HOURS})`.execute(db);
    const inserted = await sql`insert into kit_idempotency
        (caller, key, method, path, request_hash, state, owner, locked_until)
      values (${caller}, ${key}, ${req.method}, ${req.url}, ${hash}, 'in_progress', ${owner},
              now() + make_interval(secs => ${leaseMs / 1000}))
      on conflict do nothing returning key`.execute(db);
    if (inserted.rows.length === 1) {
      req[reserved] = { caller, key, owner, steps: [], next: 0 };
      return;
    }
    // An expired lease (its holder died or gave up) passes to this attempt, with its steps.
    const taken = await sql<{ steps: unknown }>`update kit_idempotency
        set owner = ${owner}, locked_until = now() + make_interval(secs => ${leaseMs / 1000})
      where caller = ${caller} and key = ${key} and state = 'in_progress' and request_hash = ${hash}
        and (locked_until is null or locked_until <= now())
      returning steps`.execute(db);
    if (taken.rows.length === 1) {
      req[reserved] = { caller, key, owner, steps: stepsOf(taken.rows[0]!.steps), next: 0 };
      return;
    }
    const existing = (
      await sql<Row>`select request_hash, state, status_code, headers, body,
          ceil(extract(epoch from (locked_until - now())) * 1000)::int as wait_ms
        from kit_idempotency where caller = ${caller} and key = ${key}`.execute(db)
    ).rows[0];
    const busy = (waitMs: number | null | undefined) =>
      new AppError('idempotency_in_progress', 'The first request with this key is still running', {
        headers: { 'retry-after': String(Math.max(1, Math.ceil((waitMs ?? 1000) / 1000))) },
      });
    if (!existing) throw busy(null);
    if (existing.request_hash !== hash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request', {
        errors: [
          { field: 'Idempotency-Key', code: 'reused', message: 'was used with a different request body' },
        ],
      });
    }
    if (existing.state !== 'completed') throw busy(existing.wait_ms);
    const headers =
      typeof existing.headers === 'string'
        ? (JSON.parse(existing.headers) as Record<string, string>)
        : existing.headers;
    for (const [k, v] of Object.entries(headers ?? {})) reply.header(k, v);
    reply.header('idempotent-replayed', 'true');
    return reply.code(existing.status_code).send(existing.body);
  });

  app.addHook('onSend', async (req: WithLease, reply, payload) => {
    const lease = req[reserved];
    if (!lease) return payload;
    req[reserved] = undefined;
    try {
      // A 5xx or 429 is no outcome: the retry runs again (replaying what was committed).
      if (reply.statusCode >= 500 || reply.statusCode === 429) {
        await release(lease);
        return payload;
      }
      const keep: Record<string, string> = {};
      for (const h of ['content-type', 'location']) {
        const v = reply.getHeader(h);
        if (v !== undefined) keep[h] = String(v);
      }
      await sql`update kit_idempotency set state = 'completed', status_code = ${reply.statusCode},
        headers = ${JSON.stringify(keep)}::jsonb,
        body = ${typeof payload === 'string' ? payload : String(payload ?? '')}
        where caller = ${lease.caller} and key = ${lease.key} and owner = ${lease.owner}`.execute(db);
    } catch (err) {
      // The database went away: the answer still goes out; the lease expires and a retry
      // replays the committed steps.
      warn(err, 'idempotency record not settled; the lease will expire');
    }
    return payload;
  });

  // A request that died before sending (client gone, crash in a hook) must not hold its key.
  app.addHook('onResponse', async (req: WithLease) => {
    const lease = req[reserved];
    if (!lease) return;
    req[reserved] = undefined;
    await release(lease).catch((err: unknown) => warn(err, 'idempotency lease not released'));
  });
}
