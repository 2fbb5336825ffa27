/**
 * Database errors we expect and translate (never leak SQL: api-conventions.md): a unique
 * violation becomes 409 `already_exists` naming the field its index guards. pg and PGlite both
 * report the SQLSTATE as `code` and the index as `constraint`.
 */
import { AppError } from '@portico/kit';

interface PgError {
  code?: string;
  constraint?: string;
}

/** The violated unique index's name, or undefined when `err` is something else. */
export function uniqueViolation(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as PgError;
  return e.code === '23505' ? (e.constraint ?? '') : undefined;
}

/** Rethrows a unique violation of one of `fields` (index name → field) as a 409; else unchanged. */
export function translateUnique(err: unknown, what: string, fields: Record<string, string>): never {
  const index = uniqueViolation(err);
  if (index !== undefined) {
    const field = fields[index] ?? Object.values(fields)[0] ?? 'id';
    throw new AppError('already_exists', `Another ${what} already has this ${field}`, {
      errors: [{ field, code: 'already_exists', message: `is already used by another ${what}` }],
    });
  }
  throw err;
}
