/** Issues the login/refresh response: a new access token for a session and the refresh token. */
import { issueAccessToken } from './crypto/access-tokens.ts';
import type { IdentityContext } from './context.ts';
import { toPublicUser, type PublicUser, type UserRow } from './repository/users.ts';

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: PublicUser;
}

export async function tokenResponse(
  ctx: IdentityContext,
  user: UserRow,
  sessionId: string,
  refreshToken: string,
): Promise<TokenResponse> {
  const access = await issueAccessToken(
    ctx.keys,
    { userId: user.id, sessionId, roles: user.roles },
    ctx.settings.IDENTITY_ACCESS_TOKEN_TTL,
  );
  return {
    access_token: access.token,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    user: toPublicUser(user),
  };
}

/** Token responses must not be cached by anyone (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
