/**
 * Access tokens: JWTs in the RFC 9068 profile (`typ: at+jwt`), ES256 with `kid`, carrying the
 * claims agreed with the gateway (contracts/identity.ts AccessTokenClaims).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, type AccessTokenClaims } from '@portico/contracts';
import { SIGNING_ALG, type KeyRing } from './signing-keys.ts';

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  expiresAt: Date;
}

export async function issueAccessToken(
  ring: KeyRing,
  subject: {
    userId: string;
    sessionId: string;
    roles: readonly string[];
    apiVersion?: string;
    plan?: string | null;
  },
  ttlSeconds: number,
): Promise<IssuedAccessToken> {
  const now = Math.floor(Date.now() / 1000);
  const { kid, key } = ring.signer();
  const claims: AccessTokenClaims = {
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    sub: subject.userId,
    sid: subject.sessionId,
    jti: randomUUID(),
    iat: now,
    exp: now + ttlSeconds,
    roles: [...subject.roles],
    ...(subject.apiVersion !== undefined && { api_version: subject.apiVersion }),
    ...(subject.plan ? { plan: subject.plan } : {}),
  };
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
    .sign(key);
  return { token, jti: claims.jti, expiresIn: ttlSeconds, expiresAt: new Date(claims.exp * 1000) };
}
