/** The caller's own profile: changing one's name (`user.updated`, audited). */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { publishUserUpdated } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { updateUser } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';

export async function renameSelf(
  deps: Deps,
  userId: string,
  fullName: string,
  facts: RequestFacts,
): Promise<UserRow> {
  return deps.tx(async (trx) => {
    const row = await updateUser(trx, userId, { full_name: fullName });
    if (!row) throw AppError.notFound('User');
    await publishUserUpdated(deps, trx, row);
    await appendAudit(
      trx,
      {
        actor_id: row.id,
        action: 'user.updated',
        target: row.id,
        outcome: 'success',
        details: { fields: ['full_name'] },
      },
      facts,
    );
    return row;
  });
}
