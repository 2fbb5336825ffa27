/** Issues the login/refresh response: a new access token for a session and the refresh token. */
import { issueAccessToken } from '../crypto/access-tokens.ts';
import type { Deps } from '../deps.ts';
import type { UserRow } from '../tables.ts';
import { userView, type PublicUser } from '../views.ts';

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: PublicUser;
}

export async function tokenResponse(
  deps: Deps,
  user: UserRow,
  sessionId: string,
  refreshToken: string,
): Promise<TokenResponse> {
  const access = await issueAccessToken(
    deps.context.keys,
    { userId: user.id, sessionId, roles: user.roles, apiVersion: user.api_version, plan: user.plan },
    deps.settings.IDENTITY_ACCESS_TOKEN_TTL,
  );
  return {
    access_token: access.token,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    user: userView(user),
  };
}
