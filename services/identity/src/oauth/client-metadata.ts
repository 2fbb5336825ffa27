/**
 * A registered client (`oauth_clients` row) as oidc-provider's client metadata (RFC 7591 names).
 * Public clients authenticate with nothing and must use PKCE (the provider requires it for them);
 * confidential ones with HTTP Basic (RFC 6749 §2.3.1) against the stored hash (providers.ts).
 * The permission scopes a client may be given are not client metadata (the library accepts only
 * the scopes it knows there): the resource server's scope is read from the row (providers.ts).
 */
import type { OAuthClientRow } from '../tables.ts';

export function clientMetadata(row: OAuthClientRow): Record<string, unknown> {
  const interactive = row.grant_types.includes('authorization_code');
  return {
    client_id: row.id,
    client_name: row.name,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: row.grant_types,
    response_types: interactive ? ['code'] : [],
    token_endpoint_auth_method: row.confidential ? 'client_secret_basic' : 'none',
    // The provider compares this with the presented secret through its hashed comparison.
    ...(row.confidential && row.secret_hash ? { client_secret: row.secret_hash } : {}),
    id_token_signed_response_alg: 'ES256',
  };
}
