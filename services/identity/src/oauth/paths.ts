/** Where the OpenID provider's endpoints and pages live, under the gateway's origin (portico.yaml). */
import { JWKS_PATH } from '@portico/contracts';

export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
  end_session: '/oauth/logout',
  jwks: JWKS_PATH,
  pushed_authorization_request: '/oauth/par',
} as const;
export const INTERACTION_PATH = '/oauth/interaction';
