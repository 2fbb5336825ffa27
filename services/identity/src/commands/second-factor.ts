/**
 * The second step of signing in (docs/mfa.md). A password sign-in of a user with an active
 * authenticator does not get tokens: it gets a challenge, an `mfa_token` (single use, five
 * minutes, stored as SHA-256) to present with a TOTP code or a recovery code, as Auth0's
 * `mfa_required` + `mfa_token` flow does. An admin without one, when `PORTICO_REQUIRE_ADMIN_MFA`
 * is on, gets an enrolment-only `mfa_token` instead (commands/totp-enrolment.ts).
 *
 * Code attempts are throttled per user like logins (`IDENTITY_LOGIN_MAX_ATTEMPTS` per window)
 * and every refusal is audited (`mfa.code_rejected`). A TOTP code is accepted once: its time
 * step is recorded and a code of that step or an earlier one is refused (RFC 6238 §5.2).
 */
import { randomBytes } from 'node:crypto';
import { AppError, type FieldError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { hashRecoveryCode } from '../domain/recovery-codes.ts';
import { sha256 } from '../domain/secrets.ts';
import { checkTotp, openTotpSecret } from '../crypto/totp.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { clearAttempts, reserveAttempt } from '../repository/login-throttle.ts';
import {
  advanceTotpStep,
  findLiveChallenge,
  findTotp,
  insertChallenge,
  remainingRecoveryCodes,
  spendChallenge,
  spendRecoveryCode,
} from '../repository/mfa.ts';
import { findUserById } from '../repository/users.ts';
import type { MfaChallengePurpose, UserRow } from '../tables.ts';

export const MFA_TOKEN_PREFIX = 'pmt_';
export const MFA_TOKEN_TTL_SECONDS = 300;

/** What a sign-in asks for: a code, or (admins, when required) an enrolment. */
export type SecondFactorDue = 'code' | 'enrolment' | null;

/** A TOTP code or a recovery code, as a request carries it. */
export interface Proof {
  code?: string | undefined;
  recovery_code?: string | undefined;
}
export type ProofMethod = 'totp' | 'recovery_code';
/** Where a code was entered, for the audit log. */
export type CodeContext = 'login' | 'oauth' | 'confirm' | 'disable';

export type CodeCheck = { ok: true; method: ProofMethod } | { ok: false; field: string; reason: string };

export async function secondFactorDue(deps: Deps, user: UserRow): Promise<SecondFactorDue> {
  const totp = await findTotp(deps.db, user.id);
  if (totp?.confirmed_at) return 'code';
  if (deps.settings.PORTICO_REQUIRE_ADMIN_MFA && user.roles.includes('admin')) return 'enrolment';
  return null;
}

/** A new `mfa_token` for the user (the token is returned once; only its hash is kept). */
export async function issueChallenge(
  deps: Deps,
  userId: string,
  purpose: MfaChallengePurpose,
): Promise<string> {
  const token = MFA_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await insertChallenge(deps.db, {
    tokenHash: sha256(token),
    userId,
    purpose,
    ttlSeconds: MFA_TOKEN_TTL_SECONDS,
  });
  return token;
}

/**
 * The refusal a password sign-in answers when a second factor is due, carrying the `mfa_token`
 * (RFC 9457 §3.2 extension members) — 401 `mfa_required` or 403 `mfa_enrollment_required`.
 */
export async function secondFactorProblem(
  deps: Deps,
  user: UserRow,
  due: 'code' | 'enrolment',
  facts: RequestFacts,
): Promise<AppError> {
  if (due === 'code') {
    const token = await issueChallenge(deps, user.id, 'verify');
    return new AppError(
      'mfa_required',
      'Send the code from your authenticator app (or a recovery code) with this mfa_token to POST /api/v1/auth/login/mfa',
      {
        headers: { 'www-authenticate': 'Bearer' },
        extensions: {
          mfa_token: token,
          expires_in: MFA_TOKEN_TTL_SECONDS,
          factors: ['totp', 'recovery_code'],
        },
      },
    );
  }
  await auditEnrolmentRequired(deps, user, facts);
  const token = await issueChallenge(deps, user.id, 'enrol');
  return new AppError(
    'mfa_enrollment_required',
    'Administrators must sign in with a second factor: set up an authenticator app with this mfa_token (POST /api/v1/auth/login/mfa/totp, then …/confirm)',
    { extensions: { mfa_token: token, expires_in: MFA_TOKEN_TTL_SECONDS } },
  );
}

/** A right password refused because the admin has no second factor yet (a failed `auth.login`). */
export async function auditEnrolmentRequired(
  deps: Deps,
  user: UserRow,
  facts: RequestFacts,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await appendAudit(
    deps.db,
    {
      actor_id: null,
      action: 'auth.login',
      target: user.id,
      outcome: 'failure',
      details: { email: user.email, reason: 'mfa_enrollment_required', ...extra },
    },
    facts,
  );
}

/** 401 for an `mfa_token` that is unknown, expired, spent, or of another purpose. */
export function staleChallenge(): AppError {
  return new AppError('invalid_token', 'The mfa_token is unknown, expired or already used: sign in again', {
    headers: { 'www-authenticate': 'Bearer' },
    errors: [{ field: 'mfa_token', code: 'invalid', message: 'is unknown, expired or already used' }],
  });
}

/** The active user a live challenge of `purpose` was issued to, or 401. */
export async function challengedUser(
  deps: Deps,
  mfaToken: string,
  purpose: MfaChallengePurpose,
): Promise<UserRow> {
  const userId = await findLiveChallenge(deps.db, sha256(mfaToken), purpose);
  const user = userId ? await findUserById(deps.db, userId) : undefined;
  if (!user || user.status !== 'active') throw staleChallenge();
  return user;
}

/** Spends the challenge (single use); 401 when another request spent it first. */
export async function spendChallengeOrFail(deps: Deps, mfaToken: string): Promise<void> {
  if (!(await spendChallenge(deps.db, sha256(mfaToken)))) throw staleChallenge();
}

/** Exactly one of `code` and `recovery_code`, or the field errors saying so. */
function proofFields(proof: Proof): FieldError[] {
  const given = [proof.code, proof.recovery_code].filter((v) => v !== undefined).length;
  if (given === 1) return [];
  return [
    {
      field: given === 0 ? 'code' : 'recovery_code',
      code: given === 0 ? 'required' : 'not_allowed',
      message: 'give either code (six digits from your authenticator app) or recovery_code, not both',
    },
  ];
}

/** Reserves a code attempt for the user (throttled like logins); 429 once the limit is reached. */
export async function reserveCodeAttempt(
  deps: Deps,
  user: UserRow,
  facts: RequestFacts,
  context: CodeContext,
): Promise<void> {
  const r = await reserveAttempt(
    deps.db,
    `mfa:${user.id}`,
    deps.settings.IDENTITY_LOGIN_MAX_ATTEMPTS,
    deps.settings.IDENTITY_LOGIN_WINDOW_SECONDS,
  );
  if (r.allowed) return;
  await codeRejected(deps, user, facts, { context, reason: 'rate_limited' });
  throw new AppError('rate_limited', 'Too many code attempts; try again later', {
    headers: { 'retry-after': String(r.retryAfter) },
  });
}

export async function codeRejected(
  deps: Deps,
  user: UserRow,
  facts: RequestFacts,
  details: { context: CodeContext; reason: string; method?: ProofMethod },
): Promise<void> {
  await appendAudit(
    deps.db,
    { actor_id: user.id, action: 'mfa.code_rejected', target: user.id, outcome: 'failure', details },
    facts,
  );
}

/** A successful code: the user's failed attempts are forgotten. */
export async function clearCodeAttempts(deps: Deps, userId: string): Promise<void> {
  await clearAttempts(deps.db, `mfa:${userId}`);
}

/**
 * Checks a code against the user's active authenticator (or spends a recovery code): throttled,
 * failures audited, the accepted step recorded so the same code cannot be used again.
 */
export async function checkSecondFactor(
  deps: Deps,
  user: UserRow,
  proof: Proof,
  facts: RequestFacts,
  context: CodeContext,
): Promise<CodeCheck> {
  await reserveCodeAttempt(deps, user, facts, context);
  const method: ProofMethod = proof.recovery_code !== undefined ? 'recovery_code' : 'totp';
  let reason = 'incorrect';
  if (method === 'recovery_code') {
    const hash = hashRecoveryCode(deps.context.mfaKeys.recovery, user.id, proof.recovery_code!);
    if (await spendRecoveryCode(deps.db, user.id, hash)) {
      await clearCodeAttempts(deps, user.id);
      await appendAudit(
        deps.db,
        {
          actor_id: user.id,
          action: 'mfa.recovery_code_used',
          target: user.id,
          outcome: 'success',
          details: { context, remaining: await remainingRecoveryCodes(deps.db, user.id) },
        },
        facts,
      );
      return { ok: true, method };
    }
  } else {
    const totp = await findTotp(deps.db, user.id);
    if (totp?.confirmed_at) {
      const secret = openTotpSecret(deps.context.mfaKeys.totp, user.id, totp.secret_enc);
      const lastStep = totp.last_step === null ? null : Number(totp.last_step);
      const check = await checkTotp(secret, proof.code ?? '', lastStep);
      // A parallel request may have accepted the same step between the read and this update.
      if (check.ok && (await advanceTotpStep(deps.db, user.id, check.step))) {
        await clearCodeAttempts(deps, user.id);
        return { ok: true, method };
      }
      reason = check.ok ? 'reused' : check.reason;
    }
  }
  await codeRejected(deps, user, facts, { context, reason, method });
  return { ok: false, field: method === 'totp' ? 'code' : 'recovery_code', reason };
}

/** 401 `invalid_mfa_code` naming the field (the sign-in's second step). */
export function wrongCode(check: { field: string; reason: string }): AppError {
  const message = check.reason === 'reused' ? 'was already used; wait for the next code' : 'is not correct';
  return new AppError('invalid_mfa_code', `The ${check.field.replace('_', ' ')} ${message}`, {
    headers: { 'www-authenticate': 'Bearer' },
    errors: [{ field: check.field, code: check.reason, message }],
  });
}

/** The second step of a sign-in: the challenge's user once the code is right (the challenge is spent). */
export async function passChallenge(
  deps: Deps,
  mfaToken: string,
  proof: Proof,
  facts: RequestFacts,
  context: CodeContext,
): Promise<{ user: UserRow; method: ProofMethod }> {
  const problems = proofFields(proof);
  if (problems.length) throw AppError.validation(problems);
  const user = await challengedUser(deps, mfaToken, 'verify');
  const check = await checkSecondFactor(deps, user, proof, facts, context);
  if (!check.ok) throw wrongCode(check);
  await spendChallengeOrFail(deps, mfaToken);
  return { user, method: check.method };
}
