/**
 * OAuth clients, registered by admins (`/api/v1/oauth-clients`): public clients (a browser or
 * native app: authorization code + PKCE) and confidential ones (a server, or a service account
 * using client credentials). A confidential client's secret is 256 random bits, shown once and
 * stored as its SHA-256 hash. Redirect URIs are compared exactly by the provider (RFC 9700
 * §4.1.3), so they are checked here for what may be registered at all. Every change is audited;
 * deleting a client revokes its grants and tokens at the gateway.
 */
import { randomBytes } from 'node:crypto';
import { AppError, type Caller } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import type { Deps, Trx } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { sha256 } from '../domain/secrets.ts';
import { publishSessionRevoked } from '../events.ts';
import { clientSessionId } from '../domain/oauth-scopes.ts';
import { appendAudit } from '../repository/audit-log.ts';
import {
  findLiveOAuthClient,
  insertOAuthClient,
  markOAuthClientDeleted,
  updateOAuthClient,
} from '../repository/oauth-clients.ts';
import type { OAuthClientRow } from '../tables.ts';

type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
type Problem = { field: string; code: string; message: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What may be registered as a redirect URI: absolute, no fragment, https or loopback http. */
function uriProblems(field: string, uris: readonly string[]): Problem[] {
  const out: Problem[] = [];
  uris.forEach((raw, i) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      out.push({ field: `${field}.${i}`, code: 'invalid_uri', message: 'must be an absolute URI' });
      return;
    }
    if (url.hash !== '' || raw.includes('#'))
      out.push({ field: `${field}.${i}`, code: 'invalid_uri', message: 'must not have a fragment' });
    else if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
      out.push({
        field: `${field}.${i}`,
        code: 'insecure_uri',
        message: 'must use https (http only on a loopback host)',
      });
  });
  return out;
}

function grantProblems(input: {
  type: 'public' | 'confidential';
  grant_types: GrantType[];
  redirect_uris: string[];
}): Problem[] {
  const g = new Set(input.grant_types);
  const out: Problem[] = [];
  if (g.has('client_credentials') && input.type !== 'confidential')
    out.push({
      field: 'grant_types',
      code: 'not_permitted',
      message: 'client_credentials needs a confidential client',
    });
  if (g.has('refresh_token') && !g.has('authorization_code'))
    out.push({
      field: 'grant_types',
      code: 'not_permitted',
      message: 'refresh_token needs authorization_code',
    });
  if (g.has('authorization_code') && input.redirect_uris.length === 0)
    out.push({
      field: 'redirect_uris',
      code: 'required',
      message: 'authorization_code needs a redirect URI',
    });
  return out;
}

export async function createOAuthClient(
  deps: Deps,
  caller: Caller,
  input: {
    name: string;
    type: 'public' | 'confidential';
    redirect_uris?: string[] | undefined;
    post_logout_redirect_uris?: string[] | undefined;
    grant_types: GrantType[];
    scopes: string[];
  },
  facts: RequestFacts,
): Promise<{ row: OAuthClientRow; secret: string | null }> {
  const redirectUris = input.redirect_uris ?? [];
  const postLogout = input.post_logout_redirect_uris ?? [];
  const problems = [
    ...uriProblems('redirect_uris', redirectUris),
    ...uriProblems('post_logout_redirect_uris', postLogout),
    ...grantProblems({ type: input.type, grant_types: input.grant_types, redirect_uris: redirectUris }),
  ];
  if (problems.length) throw AppError.validation(problems);
  const secret = input.type === 'confidential' ? randomBytes(32).toString('base64url') : null;
  const row = await deps.tx(async (trx) => {
    const r = await insertOAuthClient(trx, {
      id: uuidv7(),
      name: input.name,
      confidential: secret !== null,
      secret_hash: secret === null ? null : sha256(secret),
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogout,
      grant_types: input.grant_types,
      scopes: input.scopes,
      created_by: caller.id,
    });
    await audit(trx, caller, 'oauth_client.created', r.id, facts, {
      name: r.name,
      type: input.type,
      grant_types: r.grant_types,
      scopes: r.scopes,
      redirect_uris: r.redirect_uris,
    });
    return r;
  });
  return { row, secret };
}

export async function changeOAuthClient(
  deps: Deps,
  caller: Caller,
  id: string,
  input: { name?: string; redirect_uris?: string[]; post_logout_redirect_uris?: string[]; scopes?: string[] },
  facts: RequestFacts,
): Promise<OAuthClientRow> {
  const problems = [
    ...uriProblems('redirect_uris', input.redirect_uris ?? []),
    ...uriProblems('post_logout_redirect_uris', input.post_logout_redirect_uris ?? []),
  ];
  if (problems.length) throw AppError.validation(problems);
  return deps.tx(async (trx) => {
    const row = await findLiveOAuthClient(trx, id, { forUpdate: true });
    if (!row) throw AppError.notFound('OAuth client');
    const g = grantProblems({
      type: row.confidential ? 'confidential' : 'public',
      grant_types: row.grant_types as GrantType[],
      redirect_uris: input.redirect_uris ?? row.redirect_uris,
    });
    if (g.length) throw AppError.validation(g);
    const updated = await updateOAuthClient(trx, id, input);
    await audit(trx, caller, 'oauth_client.updated', id, facts, { fields: Object.keys(input) });
    return updated;
  });
}

/** Deletes a client and revokes everything issued to it (grants and live access tokens). */
export async function deleteOAuthClient(
  deps: Deps,
  caller: Caller,
  id: string,
  facts: RequestFacts,
): Promise<void> {
  await deps.tx(async (trx) => {
    const row = await findLiveOAuthClient(trx, id, { forUpdate: true });
    if (!row) throw AppError.notFound('OAuth client');
    await markOAuthClientDeleted(trx, id);
    const revoked = await revokeClientArtifacts(deps, trx, id);
    await audit(trx, caller, 'oauth_client.deleted', id, facts, { name: row.name, ...revoked });
  });
}

/**
 * Removes a client's artifacts and tells the gateway: `session.revoked` for the grants users gave
 * it (their tokens' `sid`) and for the client's own tokens (`sid` = `client:<id>`, providers.ts).
 */
async function revokeClientArtifacts(
  deps: Deps,
  trx: Trx,
  clientId: string,
): Promise<{ grants_revoked: number }> {
  const rows = await trx
    .deleteFrom('oauth_artifacts')
    .where((eb) => eb(eb.ref('payload', '->>').key('clientId'), '=', clientId))
    .returning(['grant_id', 'payload'])
    .execute();
  const grants = new Map<string, string>();
  for (const r of rows)
    if (r.grant_id && typeof r.payload.accountId === 'string') grants.set(r.grant_id, r.payload.accountId);
  for (const [grantId, userId] of grants)
    await publishSessionRevoked(deps, trx, userId, [grantId], 'grant_revoked');
  await publishSessionRevoked(deps, trx, clientId, [clientSessionId(clientId)], 'grant_revoked');
  return { grants_revoked: grants.size };
}

async function audit(
  trx: Trx,
  caller: Caller,
  action: 'oauth_client.created' | 'oauth_client.updated' | 'oauth_client.deleted',
  target: string,
  facts: RequestFacts,
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(trx, { actor_id: caller.id, action, target, outcome: 'success', details }, facts);
}
