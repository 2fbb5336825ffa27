/** Email normalisation: one spelling per address, so uniqueness and login ignore case and stray spaces. */

/** Trims and lower-cases an email address. @example normaliseEmail('  Ada@Example.COM ') === 'ada@example.com' */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}
