/**
 * Database errors we expect and translate (never leak SQL: api-conventions.md). Both engines
 * (pg and PGlite) report the SQLSTATE as `code`.
 */
import { AppError } from '@portico/kit';

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** Runs `fn`; a unique violation becomes 409 `already_exists` naming `field`. */
export async function uniqueOn<T>(field: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new AppError('already_exists', `A ${what} with this ${field} already exists`, {
      errors: [{ field, code: 'unique', message: `is already used by another ${what}` }],
    });
  }
}

/** jsonb columns are written as JSON text (node-pg would send an array as a PostgreSQL array). */
export const json = (value: unknown): string => JSON.stringify(value);
