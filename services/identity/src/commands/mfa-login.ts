/**
 * The second step of `POST /api/v1/auth/login` for API clients (docs/mfa.md): an `mfa_token`
 * from the first step with a TOTP code or a recovery code gives the tokens; an enrolment-only
 * `mfa_token` (admins, when `PORTICO_REQUIRE_ADMIN_MFA` is on) sets up an authenticator and
 * then gives the tokens — so the first admin can never be locked out.
 */
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { startSession } from './login.ts';
import { challengedUser, passChallenge, spendChallengeOrFail, type Proof } from './second-factor.ts';
import type { TokenResponse } from './token-response.ts';
import { confirmEnrolment, startEnrolment, type TotpEnrolment } from './totp-enrolment.ts';

export async function loginWithCode(
  deps: Deps,
  input: Proof & { mfa_token: string },
  facts: RequestFacts,
): Promise<TokenResponse> {
  const { user, method } = await passChallenge(deps, input.mfa_token, input, facts, 'login');
  return startSession(deps, user, facts, { mfa: method });
}

export async function startEnrolmentAtLogin(
  deps: Deps,
  mfaToken: string,
  facts: RequestFacts,
): Promise<TotpEnrolment> {
  return startEnrolment(deps, await challengedUser(deps, mfaToken, 'enrol'), facts);
}

export async function confirmEnrolmentAtLogin(
  deps: Deps,
  input: { mfa_token: string; code: string },
  facts: RequestFacts,
): Promise<TokenResponse & { recovery_codes: string[] }> {
  const user = await challengedUser(deps, input.mfa_token, 'enrol');
  const { recovery_codes } = await confirmEnrolment(deps, user, input.code, facts);
  await spendChallengeOrFail(deps, input.mfa_token);
  return { ...(await startSession(deps, user, facts, { mfa: 'totp_enrolled' })), recovery_codes };
}
