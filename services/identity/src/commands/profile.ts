/** The caller's own profile: changing one's name or API version pin (`user.updated`, audited). */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { publishUserUpdated } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { updateUser } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';

export async function updateSelf(
  deps: Deps,
  userId: string,
  changes: { full_name?: string | undefined; api_version?: string | undefined },
  facts: RequestFacts,
): Promise<UserRow> {
  const fields = (['full_name', 'api_version'] as const).filter((f) => changes[f] !== undefined);
  return deps.tx(async (trx) => {
    const row = await updateUser(trx, userId, {
      ...(changes.full_name !== undefined && { full_name: changes.full_name }),
      ...(changes.api_version !== undefined && { api_version: changes.api_version }),
    });
    if (!row) throw AppError.notFound('User');
    await publishUserUpdated(deps, trx, row);
    await appendAudit(
      trx,
      {
        actor_id: row.id,
        action: 'user.updated',
        target: row.id,
        outcome: 'success',
        details: { fields },
      },
      facts,
    );
    return row;
  });
}
