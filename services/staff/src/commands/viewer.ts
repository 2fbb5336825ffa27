/**
 * The caller as the access rules (domain/access.ts) see them: which grants they hold at scope
 * "all" (admin-wide), and their login id for self-service through `staff.user_id`. Also the
 * loaders that answer 404 for what the caller may not see.
 */
import { AppError, scopeOf, type Caller } from '@portico/kit';
import type { Db } from '../deps.ts';
import { canSeeStaff, type Viewer } from '../domain/access.ts';
import { findStaff } from '../repository/staff.ts';
import type { StaffRow } from '../tables.ts';

export function viewerOf(caller: Caller): Viewer {
  return {
    userId: caller.id,
    readsDirectory: scopeOf(caller, 'staff:read') === 'all',
    readsSalaries: scopeOf(caller, 'salaries:read') === 'all',
    managesAbsences: scopeOf(caller, 'absences:read') === 'all',
    decidesAbsences: scopeOf(caller, 'absences:approve') === 'all',
  };
}

/** A staff member the caller may see (the directory, or their own record); 404 otherwise. */
export async function loadVisibleStaff(
  db: Db,
  viewer: Viewer,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<StaffRow> {
  const row = await findStaff(db, id, opts);
  if (!row || !canSeeStaff(viewer, row)) throw AppError.notFound('Staff member');
  return row;
}

/** A staff member for an admin write (the route already required the permission). */
export async function loadStaff(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<StaffRow> {
  const row = await findStaff(db, id, opts);
  if (!row) throw AppError.notFound('Staff member');
  return row;
}

/** Who a command acts for (the events it publishes carry the request's trace on their own). */
export interface Actor {
  caller: Caller;
}

/** The actor of a request. */
export function actorOf(req: { caller: Caller }): Actor {
  return { caller: req.caller };
}
