/** Database errors tasks expects: both engines (pg and PGlite) report the SQLSTATE as `code`. */

/** PostgreSQL `unique_violation` (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}
