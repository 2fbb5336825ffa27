/**
 * A user withdrawing the consent they gave a client: the remembered consent is forgotten and
 * every grant the user gave that client is revoked — its refresh tokens stop working and the
 * gateway refuses its access tokens (`session.revoked` with the grant ids, their `sid`).
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { publishSessionRevoked } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { forgetConsent, grantIdsOf } from '../repository/oauth-clients.ts';

export async function revokeConsent(
  deps: Deps,
  userId: string,
  clientId: string,
  facts: RequestFacts,
): Promise<void> {
  await deps.tx(async (trx) => {
    const forgotten = await forgetConsent(trx, userId, clientId);
    const grants = await grantIdsOf(trx, userId, clientId);
    if (!forgotten && grants.length === 0) throw AppError.notFound('Consent');
    if (grants.length) {
      await trx.deleteFrom('oauth_artifacts').where('grant_id', 'in', grants).execute();
      await publishSessionRevoked(deps, trx, userId, grants, 'grant_revoked');
    }
    await appendAudit(
      trx,
      {
        actor_id: userId,
        action: 'oauth.consent_revoked',
        target: clientId,
        outcome: 'success',
        details: { grants_revoked: grants.length },
      },
      facts,
    );
  });
}
