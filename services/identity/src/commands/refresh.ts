/**
 * Refresh: rotation with reuse detection (RFC 9700 §4.14.2). The old token is spent by a
 * conditional update, so of two concurrent refreshes one wins and the other counts as reuse;
 * a spent token presented again revokes its whole session. Roles are re-read every time.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { sha256 } from '../domain/secrets.ts';
import { publishSessionRevoked } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import {
  addRefreshToken,
  findRefreshToken,
  markReplaced,
  revokeSessions,
  spendRefreshToken,
} from '../repository/sessions.ts';
import { findUserById } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';
import { tokenResponse, type TokenResponse } from './token-response.ts';

const invalidToken = () =>
  new AppError('invalid_token', 'The refresh token is invalid, expired or revoked', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });

type Outcome =
  | { kind: 'ok'; user: UserRow; sessionId: string; token: string }
  | { kind: 'refused'; reason: string; userId?: string };

export async function refresh(deps: Deps, refreshToken: string, facts: RequestFacts): Promise<TokenResponse> {
  const hash = sha256(refreshToken);
  const outcome = await deps.tx(async (trx): Promise<Outcome> => {
    const row = await findRefreshToken(trx, hash);
    if (!row) return { kind: 'refused', reason: 'unknown_token' };
    if (row.revoked_at) return { kind: 'refused', reason: 'session_revoked', userId: row.user_id };
    const reuse = async (): Promise<Outcome> => {
      // RFC 9700 §4.14.2: a spent token presented again means it leaked; end the whole family.
      const ids = await revokeSessions(trx, { sessionIds: [row.session_id] }, 'refresh_token_reuse');
      await publishSessionRevoked(deps, trx, row.user_id, ids, 'refresh_token_reuse');
      await appendAudit(
        trx,
        {
          actor_id: row.user_id,
          action: 'auth.refresh_token_reused',
          target: row.session_id,
          outcome: 'failure',
          details: { session_id: row.session_id },
        },
        facts,
      );
      return { kind: 'refused', reason: 'reused' };
    };
    if (row.used_at) return reuse();
    const now = Date.now();
    if (new Date(row.expires_at).getTime() <= now || new Date(row.session_expires_at).getTime() <= now) {
      return { kind: 'refused', reason: 'expired', userId: row.user_id };
    }
    // The conditional update decides a race: of two refreshes of this token, one wins.
    if (!(await spendRefreshToken(trx, row.id))) return reuse();
    const user = await findUserById(trx, row.user_id);
    if (!user || user.status !== 'active') {
      await revokeSessions(trx, { sessionIds: [row.session_id] }, 'user_disabled');
      return { kind: 'refused', reason: 'account_disabled', userId: row.user_id };
    }
    const next = await addRefreshToken(trx, row.session_id, deps.settings.IDENTITY_REFRESH_TOKEN_TTL);
    await markReplaced(trx, row.id, next.id, row.session_id);
    await appendAudit(
      trx,
      {
        actor_id: user.id,
        action: 'auth.refresh',
        target: row.session_id,
        outcome: 'success',
        details: { session_id: row.session_id },
      },
      facts,
    );
    return { kind: 'ok', user, sessionId: row.session_id, token: next.token };
  });
  if (outcome.kind === 'refused') {
    if (outcome.reason !== 'reused') {
      await appendAudit(
        deps.db,
        {
          actor_id: outcome.userId ?? null,
          action: 'auth.refresh',
          outcome: 'failure',
          details: { reason: outcome.reason },
        },
        facts,
      );
    }
    throw invalidToken();
  }
  // Roles are re-read on every refresh: a role change takes effect here at the latest.
  return tokenResponse(deps, outcome.user, outcome.sessionId, outcome.token);
}
