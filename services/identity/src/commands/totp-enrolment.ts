/**
 * Turning TOTP on and off (docs/mfa.md). Enrolment has two steps so a mistyped secret cannot
 * lock anyone out: `start` stores a pending secret (sealed) and returns it with its
 * `otpauth://` URI; `confirm` with a code from the app activates it and returns ten recovery
 * codes, shown this once. Turning it off needs a current code or the password.
 */
import { AppError } from '@portico/kit';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { hashRecoveryCode, newRecoveryCode, RECOVERY_CODE_COUNT } from '../domain/recovery-codes.ts';
import { verifyOrDummy } from '../crypto/passwords.ts';
import { checkTotp, newTotpSecret, openTotpSecret, otpauthUri, sealTotpSecret } from '../crypto/totp.ts';
import { appendAudit } from '../repository/audit-log.ts';
import {
  confirmTotp,
  deleteTotp,
  findTotp,
  replaceRecoveryCodes,
  savePendingTotp,
} from '../repository/mfa.ts';
import { findUserById } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';
import { checkSecondFactor, clearCodeAttempts, codeRejected, reserveCodeAttempt } from './second-factor.ts';

export interface TotpEnrolment {
  secret: string;
  otpauth_uri: string;
  algorithm: 'SHA1';
  digits: 6;
  period: 30;
}

const alreadyOn = () =>
  new AppError('invalid_state', 'TOTP is already on: turn it off first (DELETE /api/v1/auth/mfa/totp)');

export async function startEnrolment(deps: Deps, user: UserRow, facts: RequestFacts): Promise<TotpEnrolment> {
  const secret = newTotpSecret();
  const saved = await deps.tx(async (trx) => {
    if (!(await savePendingTotp(trx, user.id, sealTotpSecret(deps.context.mfaKeys.totp, user.id, secret))))
      return false;
    await appendAudit(
      trx,
      { actor_id: user.id, action: 'mfa.totp_enrolment_started', target: user.id, outcome: 'success' },
      facts,
    );
    return true;
  });
  if (!saved) throw alreadyOn();
  return { secret, otpauth_uri: otpauthUri(secret, user.email), algorithm: 'SHA1', digits: 6, period: 30 };
}

/** Activates the pending authenticator with a code from it; returns the recovery codes (shown once). */
export async function confirmEnrolment(
  deps: Deps,
  user: UserRow,
  code: string,
  facts: RequestFacts,
): Promise<{ recovery_codes: string[] }> {
  const row = await findTotp(deps.db, user.id);
  if (!row) throw new AppError('invalid_state', 'No enrolment to confirm: start one first (POST …/mfa/totp)');
  if (row.confirmed_at) throw alreadyOn();
  await reserveCodeAttempt(deps, user, facts, 'confirm');
  const check = await checkTotp(
    openTotpSecret(deps.context.mfaKeys.totp, user.id, row.secret_enc),
    code,
    null,
  );
  if (!check.ok) {
    await codeRejected(deps, user, facts, { context: 'confirm', reason: check.reason, method: 'totp' });
    throw AppError.validation([
      {
        field: 'code',
        code: 'incorrect',
        message: 'is not the current code of the authenticator being set up',
      },
    ]);
  }
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const confirmed = await deps.tx(async (trx) => {
    if (!(await confirmTotp(trx, user.id, check.step))) return false;
    await replaceRecoveryCodes(
      trx,
      user.id,
      codes.map((c) => hashRecoveryCode(deps.context.mfaKeys.recovery, user.id, c)),
    );
    await appendAudit(
      trx,
      {
        actor_id: user.id,
        action: 'mfa.totp_enabled',
        target: user.id,
        outcome: 'success',
        details: { recovery_codes_issued: codes.length },
      },
      facts,
    );
    return true;
  });
  if (!confirmed) throw alreadyOn();
  await clearCodeAttempts(deps, user.id);
  return { recovery_codes: codes };
}

/** Turns TOTP off (a pending enrolment too) given a current code or the password. */
export async function disableTotp(
  deps: Deps,
  user: UserRow,
  proof: { code?: string | undefined; password?: string | undefined },
  facts: RequestFacts,
): Promise<void> {
  if ((proof.code === undefined) === (proof.password === undefined))
    throw AppError.validation([
      {
        field: proof.code === undefined ? 'code' : 'password',
        code: proof.code === undefined ? 'required' : 'not_allowed',
        message: 'give either code (six digits from your authenticator app) or password, not both',
      },
    ]);
  const row = await findTotp(deps.db, user.id);
  if (!row) throw AppError.notFound('TOTP authenticator');
  let via: 'code' | 'password';
  if (proof.code !== undefined && row.confirmed_at) {
    const check = await checkSecondFactor(deps, user, { code: proof.code }, facts, 'disable');
    if (!check.ok)
      throw AppError.validation([{ field: 'code', code: check.reason, message: 'is not a current code' }]);
    via = 'code';
  } else {
    await reserveCodeAttempt(deps, user, facts, 'disable');
    if (proof.password === undefined || !(await verifyOrDummy(user.password_hash, proof.password))) {
      await codeRejected(deps, user, facts, { context: 'disable', reason: 'incorrect_password' });
      const field = proof.password === undefined ? 'code' : 'password';
      throw AppError.validation([
        {
          field,
          code: 'incorrect',
          message:
            field === 'code' ? 'the enrolment is not confirmed: give your password' : 'is not your password',
        },
      ]);
    }
    await clearCodeAttempts(deps, user.id);
    via = 'password';
  }
  await removeTotp(deps, user.id, user.id, { via, was_active: row.confirmed_at !== null }, facts);
}

/**
 * An admin turns a user's authenticator off (a lost phone and lost recovery codes): the user
 * signs in with the password alone again, or is sent to enrol if they are an admin and MFA is
 * required. 404 when the user or their authenticator does not exist.
 */
export async function resetTotpByAdmin(
  deps: Deps,
  userId: string,
  actorId: string | null,
  facts: RequestFacts,
): Promise<void> {
  const row = (await findUserById(deps.db, userId)) && (await findTotp(deps.db, userId));
  if (!row) throw AppError.notFound('TOTP authenticator');
  await removeTotp(deps, userId, actorId, { via: 'admin', was_active: row.confirmed_at !== null }, facts);
}

async function removeTotp(
  deps: Deps,
  userId: string,
  actorId: string | null,
  details: { via: string; was_active: boolean },
  facts: RequestFacts,
): Promise<void> {
  await deps.tx(async (trx) => {
    await deleteTotp(trx, userId);
    await appendAudit(
      trx,
      { actor_id: actorId, action: 'mfa.totp_disabled', target: userId, outcome: 'success', details },
      facts,
    );
  });
}
