/**
 * Database errors we expect and translate (never leak SQL: api-conventions.md). Both engines
 * (pg and PGlite) report the SQLSTATE as `code` and the constraint as `constraint`.
 */
import { AppError } from '@portico/kit';

interface PgError {
  code?: string;
  constraint?: string;
}

export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as PgError).code : undefined;
}

/** Rethrows a unique violation as 409 `already_exists` naming `fields`; anything else unchanged. */
export function translateUnique(err: unknown, fields: string[], what: string): never {
  if (sqlState(err) === '23505') {
    throw new AppError('already_exists', `A ${what} with this ${fields.join(' and ')} already exists`, {
      errors: fields.map((field) => ({
        field,
        code: 'unique',
        message: `is already used by another ${what}`,
      })),
    });
  }
  throw err;
}

// Deadlocks and serialization failures are safe to run again; so is a unique violation when the
// retry re-reads what the other transaction committed (a concurrent retry of one payment).
const RETRYABLE = new Set(['40P01', '40001', '23505']);

/** Runs `fn` again (up to `attempts` times) when PostgreSQL aborted it for a reason a re-run fixes. */
export async function retryTransient<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !RETRYABLE.has(sqlState(err) ?? '')) throw err;
    }
  }
}
