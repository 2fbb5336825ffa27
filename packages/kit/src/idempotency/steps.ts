/**
 * The committed steps of an idempotent request. Each `deps.tx` a request with an
 * `Idempotency-Key` runs records its result in the key's `kit_idempotency` row inside the same
 * transaction (the work and its record commit together or not at all), fenced by the lease
 * owner: a transaction whose lease was taken over by a retry rolls back instead of committing
 * the work twice. A retry that takes over an expired lease (the first attempt's process died,
 * or it failed after committing) runs the handler again, and each `deps.tx` already committed
 * returns its recorded result instead of running — so the retry answers with what was committed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely, type Transaction } from 'kysely';
import { AppError } from '../errors/problem.ts';

export interface Lease {
  caller: string;
  key: string;
  /** This attempt's fencing token. */
  owner: string;
  /** Results of the transactions committed so far (earlier attempts included), encoded. */
  steps: unknown[];
  /** The next `deps.tx` call's index. */
  next: number;
}

const current = new AsyncLocalStorage<Lease>();

/** Runs a route handler with its lease in scope (for `deps.tx`). */
export function withLease<T>(lease: Lease, fn: () => T): T {
  return current.run(lease, fn);
}

const DATE = '$portico.date';
const BYTES = '$portico.bytes';
const BIGINT = '$portico.bigint';

/**
 * JSON that keeps Dates, Buffers and bigints (what row objects hold) across the round trip. A
 * result JSON cannot hold (a cycle) is recorded as `null` rather than failing the request.
 */
export function encodeStep(value: unknown): string {
  try {
    return JSON.stringify({ v: value }, function (this: Record<string, unknown>, k, v: unknown) {
      const raw = this[k];
      if (raw instanceof Date) return { [DATE]: raw.toISOString() };
      if (raw instanceof Uint8Array) return { [BYTES]: Buffer.from(raw).toString('base64') };
      if (typeof raw === 'bigint') return { [BIGINT]: raw.toString() };
      return v;
    });
  } catch {
    return '{"v":null}';
  }
}

export function decodeStep(stored: unknown): unknown {
  const text = typeof stored === 'string' ? stored : JSON.stringify(stored);
  return (
    JSON.parse(text, (_k, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        if (typeof o[DATE] === 'string') return new Date(o[DATE]);
        if (typeof o[BYTES] === 'string') return Buffer.from(o[BYTES], 'base64');
        if (typeof o[BIGINT] === 'string') return BigInt(o[BIGINT]);
      }
      return v;
    }) as { v: unknown }
  ).v;
}

/**
 * `deps.tx`: a plain transaction outside an idempotent request; inside one, a recorded step
 * (replayed from an earlier attempt) or a transaction that records its result under the lease.
 */
export async function stepTransaction<T>(
  db: Kysely<any>,
  fn: (trx: Transaction<any>) => Promise<T>,
): Promise<T> {
  const lease = current.getStore();
  if (!lease) return db.transaction().execute(fn);
  const i = lease.next++;
  if (i < lease.steps.length) return decodeStep(lease.steps[i]) as T;
  let record = '';
  const out = await db.transaction().execute(async (trx) => {
    const result = await fn(trx);
    record = encodeStep(result);
    const fenced = await sql`update kit_idempotency
      set steps = coalesce(steps, '[]'::jsonb) || jsonb_build_array(${record}::jsonb)
      where caller = ${lease.caller} and key = ${lease.key} and owner = ${lease.owner}
      returning key`.execute(trx);
    if (fenced.rows.length === 0)
      throw new AppError(
        'idempotency_in_progress',
        'A retry with this Idempotency-Key took over this request',
        {
          headers: { 'retry-after': '1' },
        },
      );
    return result;
  });
  lease.steps.push(JSON.parse(record));
  return out;
}
