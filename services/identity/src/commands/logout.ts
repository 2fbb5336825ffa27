/**
 * Logout: revokes the caller's session (the token's `sid`) and, if given, the session of a
 * refresh token when it is the caller's; `session.revoked` makes the gateway refuse the access
 * tokens from then on.
 */
import type { Caller } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { sha256 } from '../domain/secrets.ts';
import { publishSessionRevoked } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { revokeSessions, sessionOfRefreshToken } from '../repository/sessions.ts';

export async function logout(
  deps: Deps,
  caller: Caller,
  refreshToken: string | undefined,
  facts: RequestFacts,
): Promise<void> {
  const sessionIds = new Set<string>();
  if (caller.sessionId) sessionIds.add(caller.sessionId);
  if (refreshToken) {
    const s = await sessionOfRefreshToken(deps.db, sha256(refreshToken));
    // Only the caller's own sessions: a stranger's refresh token is ignored, not revealed.
    if (s && s.user_id === caller.id) sessionIds.add(s.session_id);
  }
  await deps.tx(async (trx) => {
    const ids = await revokeSessions(trx, { sessionIds: [...sessionIds] }, 'logout');
    await publishSessionRevoked(deps, trx, caller.id!, ids, 'logout');
    await appendAudit(
      trx,
      {
        actor_id: caller.id,
        action: 'auth.logout',
        target: caller.id,
        outcome: 'success',
        details: { session_ids: ids },
      },
      facts,
    );
  });
}
