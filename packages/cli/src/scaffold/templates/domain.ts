/** `src/domain/ownership.ts`: the service's first pure rule. */
import type { Names } from '../names.ts';

export function ownershipTs(n: Names): string {
  return `/**
 * Who may see a ${n.singularWords}: the user who created it. Anyone else gets 404, the same answer
 * as for an id that does not exist (docs/api-conventions.md: never reveal that it exists).
 * Pure rules, no I/O: test them directly.
 */
import { AppError, type Caller } from '@portico/kit';

/** The signed-in user a request acts for; a bare service passport carries none (403). */
export function requireUserId(caller: Caller): string {
  if (caller.id === null)
    throw new AppError('forbidden', '${n.PluralWords} belong to users; this caller has no user id');
  return caller.id;
}

export function isOwner(caller: Caller, ownerId: string): boolean {
  return caller.id !== null && caller.id === ownerId;
}

/** Titles are trimmed, and runs of whitespace become one space. */
export function normalizeTitle(title: string): string {
  return title.trim().replace(/\\s+/g, ' ');
}
`;
}
