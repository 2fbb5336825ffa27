/** TypeBox schemas of the OAuth client administration and the user's consents. */
import { Type } from '@portico/kit';
import { PERMISSION_SCOPE_PATTERN } from '@portico/contracts';

const DateTime = Type.String({ format: 'date-time' });
const Uri = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'absolute; https, or http on a loopback host (RFC 8252 §7.3); no fragment; matched exactly',
});
const Uris = Type.Array(Uri, { maxItems: 20, uniqueItems: true });
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
const Scope = Type.String({
  pattern: `(${PERMISSION_SCOPE_PATTERN})|^profile$`,
  maxLength: 100,
  description: 'a Portico permission (`tasks:read`, `orders:*:own`) or `profile`',
});
const Scopes = Type.Array(Scope, { maxItems: 100, uniqueItems: true });

export const OAuthClient = Type.Object({
  client_id: Type.String(),
  name: Type.String(),
  type: Type.Union([Type.Literal('public'), Type.Literal('confidential')]),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  grant_types: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  created_at: DateTime,
  updated_at: DateTime,
});
export const CreatedOAuthClient = Type.Object({
  ...OAuthClient.properties,
  client_secret: Type.Optional(
    Type.String({ description: 'confidential clients: the secret, shown only in this response' }),
  ),
});
export const CreateOAuthClientBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  type: Type.Union([Type.Literal('public'), Type.Literal('confidential')]),
  redirect_uris: Type.Optional(Uris),
  post_logout_redirect_uris: Type.Optional(Uris),
  grant_types: Type.Array(Type.Union(GRANT_TYPES.map((g) => Type.Literal(g))), {
    minItems: 1,
    uniqueItems: true,
  }),
  scopes: Scopes,
});
export const PatchOAuthClientBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    redirect_uris: Type.Optional(Uris),
    post_logout_redirect_uris: Type.Optional(Uris),
    scopes: Type.Optional(Scopes),
  },
  { minProperties: 1 },
);
export const ClientIdParams = Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 64 }) });
export const Consent = Type.Object({
  client_id: Type.String(),
  client_name: Type.String(),
  scopes: Type.Array(Type.String()),
  updated_at: DateTime,
});
