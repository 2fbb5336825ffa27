/** Loads the caller's links (staff ids, student ids) that domain/access.ts decides on. */
import type { Caller } from '@portico/kit';
import type { Db } from '../deps.ts';
import { isManager, type Viewer } from '../domain/access.ts';
import { activeStaffIdsOfUser, studentIdsOfUser } from '../repository/people.ts';

export async function viewerOf(db: Db, caller: Caller): Promise<Viewer> {
  const manager = isManager(caller);
  if (manager || caller.id === null) return { caller, manager, staffIds: [], studentIds: [] };
  const [staffIds, studentIds] = await Promise.all([
    activeStaffIdsOfUser(db, caller.id),
    studentIdsOfUser(db, caller.id),
  ]);
  return { caller, manager, staffIds, studentIds };
}
