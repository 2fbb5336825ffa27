/**
 * Database errors we expect and translate (never leak SQL: docs/api-conventions.md): unique
 * violations become 409 naming the field; deadlocks and serialization failures are retried.
 * Both engines (pg and PGlite) report the SQLSTATE as `code` and the constraint as `constraint`.
 */
import { AppError } from '@portico/kit';

interface PgError {
  code?: string;
  constraint?: string;
}

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as PgError).code : undefined;
}

/** The violated unique constraint's name, or undefined when `err` is something else. */
export function uniqueViolation(err: unknown): string | undefined {
  return sqlState(err) === '23505' ? ((err as PgError).constraint ?? '') : undefined;
}

/** Rethrows a unique violation on `field` as 409 `already_exists`; anything else unchanged. */
export function translateUnique(err: unknown, field: string, what: string): never {
  if (uniqueViolation(err) !== undefined) {
    throw new AppError('already_exists', `A ${what} with this ${field} already exists`, {
      errors: [{ field, code: 'unique', message: `is already used by another ${what}` }],
    });
  }
  throw err;
}

const RETRYABLE = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);

/** Runs a transaction again (up to `attempts` times) when PostgreSQL aborted it to break a deadlock. */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !RETRYABLE.has(sqlState(err) ?? '')) throw err;
    }
  }
}
