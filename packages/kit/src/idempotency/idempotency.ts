/**
 * `Idempotency-Key` for a service's POST routes (docs/api-conventions.md; the IETF
 * httpapi-idempotency-key-header draft): same key + same body within 24 h → the stored response
 * with `Idempotent-Replayed: true`; same key + another body → 422; while the first is still
 * running → 409. Keys are scoped per caller and stored in the service's own database.
 * A 5xx is not stored: the key is released so the client may retry.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/problem.ts';
import type { ServiceApp } from '../service.ts';

const KEY = /^[A-Za-z0-9_.:-]{1,255}$/;
const TTL_HOURS = 24;
const reserved = Symbol('idempotency-reservation');

interface Reservation {
  caller: string;
  key: string;
}
type WithReservation = FastifyRequest & { [reserved]?: Reservation };

function requestHash(req: FastifyRequest): string {
  return createHash('sha256')
    .update(req.method)
    .update('\0')
    .update(req.url)
    .update('\0')
    .update(JSON.stringify(req.body ?? null))
    .digest('base64url');
}

export function installIdempotency(app: ServiceApp, db: Kysely<any>): void {
  app.addHook('preHandler', async (req: WithReservation, reply: FastifyReply) => {
    if (req.method !== 'POST') return;
    const key = req.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw AppError.validation([
        {
          field: 'Idempotency-Key',
          code: 'format',
          message: 'must be 1–255 characters of A-Z a-z 0-9 _ . : -',
        },
      ]);
    }
    const caller = req.caller.id ?? `anon:${req.caller.apiKeyId ?? req.ip}`;
    const hash = requestHash(req);
    await sql`delete from kit_idempotency where caller = ${caller} and key = ${key}
              and created_at < now() - make_interval(hours => ${TTL_HOURS})`.execute(db);
    const inserted = await sql`insert into kit_idempotency (caller, key, method, path, request_hash, state)
      values (${caller}, ${key}, ${req.method}, ${req.url}, ${hash}, 'in_progress')
      on conflict do nothing returning key`.execute(db);
    if (inserted.rows.length === 1) {
      req[reserved] = { caller, key };
      return;
    }
    const existing = (
      await sql<{
        request_hash: string;
        state: string;
        status_code: number;
        headers: Record<string, string> | string;
        body: string;
      }>`
        select request_hash, state, status_code, headers, body from kit_idempotency where caller = ${caller} and key = ${key}`.execute(
        db,
      )
    ).rows[0];
    if (!existing) throw new AppError('idempotency_in_progress', 'Retry in a moment');
    if (existing.request_hash !== hash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request', {
        errors: [
          { field: 'Idempotency-Key', code: 'reused', message: 'was used with a different request body' },
        ],
      });
    }
    if (existing.state !== 'completed')
      throw new AppError('idempotency_in_progress', 'The first request with this key is still running');
    const headers =
      typeof existing.headers === 'string'
        ? (JSON.parse(existing.headers) as Record<string, string>)
        : existing.headers;
    for (const [k, v] of Object.entries(headers ?? {})) reply.header(k, v);
    reply.header('idempotent-replayed', 'true');
    return reply.code(existing.status_code).send(existing.body);
  });

  app.addHook('onSend', async (req: WithReservation, reply, payload) => {
    const r = req[reserved];
    if (!r) return payload;
    req[reserved] = undefined;
    if (reply.statusCode >= 500) {
      await sql`delete from kit_idempotency where caller = ${r.caller} and key = ${r.key}`.execute(db);
      return payload;
    }
    const keep: Record<string, string> = {};
    for (const h of ['content-type', 'location']) {
      const v = reply.getHeader(h);
      if (v !== undefined) keep[h] = String(v);
    }
    await sql`update kit_idempotency set state = 'completed', status_code = ${reply.statusCode},
      headers = ${JSON.stringify(keep)}::jsonb, body = ${typeof payload === 'string' ? payload : String(payload ?? '')}
      where caller = ${r.caller} and key = ${r.key}`.execute(db);
    return payload;
  });

  // A request that died before sending (client gone, crash in a hook) must not hold its key.
  app.addHook('onResponse', async (req: WithReservation) => {
    const r = req[reserved];
    if (r)
      await sql`delete from kit_idempotency where caller = ${r.caller} and key = ${r.key} and state = 'in_progress'`.execute(
        db,
      );
  });
}
