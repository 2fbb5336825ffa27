/**
 * The database errors a service expects, read from their SQLSTATE and constraint name (pg and
 * PGlite both report them as `code` and `constraint`): a unique violation becomes 409
 * `already_exists` naming the field its index guards, never SQL (docs/api-conventions.md);
 * deadlocks and serialization failures are run again (`deps.tx(fn, { retry })`).
 */
import { AppError } from '../errors/problem.ts';

export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

/** SQLSTATEs a re-run of the whole transaction can succeed after. */
const TRANSIENT: readonly string[] = [SQLSTATE.serializationFailure, SQLSTATE.deadlockDetected];

interface PgError {
  code?: unknown;
  constraint?: unknown;
}

/** The error's SQLSTATE, or undefined when it did not come from the database. */
export function sqlState(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as PgError).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The violated unique constraint's name ('' when the engine did not say), or undefined. */
export function uniqueViolation(err: unknown): string | undefined {
  if (sqlState(err) !== SQLSTATE.uniqueViolation) return undefined;
  const constraint = (err as PgError).constraint;
  return typeof constraint === 'string' ? constraint : '';
}

/** A unique violation, of `constraint` when one is named. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const violated = uniqueViolation(err);
  return violated !== undefined && (constraint === undefined || violated === constraint);
}

/** Deadlock or serialization failure: PostgreSQL aborted the transaction; running it again is safe. */
export function isTransient(err: unknown, also: readonly string[] = []): boolean {
  const state = sqlState(err);
  return state !== undefined && (TRANSIENT.includes(state) || also.includes(state));
}

/** The 409 `already_exists` naming each field another `what` already holds. */
export function alreadyExists(what: string, fields: readonly string[]): AppError<'already_exists'> {
  return new AppError('already_exists', `A ${what} with this ${fields.join(' and ')} already exists`, {
    errors: fields.map((field) => ({ field, code: 'unique', message: `is already used by another ${what}` })),
  });
}

/**
 * Rethrows a unique violation as 409 `already_exists`; anything else unchanged. `fields` is the
 * field the insert could collide on, or a map from unique index name to field (an index not in
 * the map names every field of the map: the client learns what to change, never the index).
 */
export function translateUnique(
  err: unknown,
  what: string,
  fields: string | readonly string[] | Readonly<Record<string, string>>,
): never {
  const index = uniqueViolation(err);
  if (index === undefined) throw err;
  if (typeof fields === 'string') throw alreadyExists(what, [fields]);
  if (isStringArray(fields)) throw alreadyExists(what, fields);
  const byIndex = fields as Readonly<Record<string, string>>;
  const field = byIndex[index];
  throw alreadyExists(what, field ? [field] : [...new Set(Object.values(byIndex))]);
}

function isStringArray(v: unknown): v is readonly string[] {
  return Array.isArray(v);
}

export interface RetryOptions {
  /** Runs in all (default 3). */
  attempts?: number;
  /** More SQLSTATEs to run again on, e.g. a unique violation a re-read resolves. */
  also?: readonly string[];
}

/** Runs `fn` again (up to `attempts` runs in all) while it fails with a transient SQLSTATE. */
export async function retryTransient<T>(fn: () => Promise<T>, opts: RetryOptions | number = {}): Promise<T> {
  const { attempts = 3, also = [] } = typeof opts === 'number' ? { attempts: opts } : opts;
  for (let run = 1; ; run++) {
    try {
      return await fn();
    } catch (err) {
      if (run >= attempts || !isTransient(err, also)) throw err;
    }
  }
}
