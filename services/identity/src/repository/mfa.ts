/**
 * SQL for second factors (migration 003): the TOTP authenticator per user, its recovery codes
 * and the `mfa_token` challenges. Every "use once" rule is one conditional UPDATE, so of two
 * parallel attempts with the same code, recovery code or token exactly one wins.
 */
import { sql } from 'kysely';
import type { Db } from '../deps.ts';
import type { MfaChallengePurpose, MfaTotpRow } from '../tables.ts';

export async function findTotp(db: Db, userId: string): Promise<MfaTotpRow | undefined> {
  return db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Whether the user has a confirmed (active) authenticator. */
export async function hasActiveTotp(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('mfa_totp')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Starts (or restarts) an enrolment: a pending secret replaces any other pending one. */
export async function savePendingTotp(db: Db, userId: string, secretEnc: string): Promise<boolean> {
  const res = await sql`insert into mfa_totp (user_id, secret_enc) values (${userId}, ${secretEnc})
    on conflict (user_id) do update set secret_enc = excluded.secret_enc, created_at = now(), last_step = null
    where mfa_totp.confirmed_at is null`.execute(db);
  return Number(res.numAffectedRows ?? 0) === 1;
}

/** Activates a pending authenticator, recording the step of the code that confirmed it. */
export async function confirmTotp(db: Db, userId: string, step: number): Promise<boolean> {
  const res = await db
    .updateTable('mfa_totp')
    .set({ confirmed_at: new Date(), last_step: step })
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Records an accepted step; false when this step (or a later one) was accepted meanwhile. */
export async function advanceTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const res = await db
    .updateTable('mfa_totp')
    .set({ last_step: step })
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', String(step) as never)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Removes the authenticator and its recovery codes; false when there was none. */
export async function deleteTotp(db: Db, userId: string): Promise<boolean> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  const res = await db.deleteFrom('mfa_totp').where('user_id', '=', userId).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

export async function replaceRecoveryCodes(db: Db, userId: string, hashes: string[]): Promise<void> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('mfa_recovery_codes')
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash })))
    .execute();
}

/** Spends a recovery code; false when it is unknown or already spent. */
export async function spendRecoveryCode(db: Db, userId: string, hash: string): Promise<boolean> {
  const res = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function remainingRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertChallenge(
  db: Db,
  c: { tokenHash: string; userId: string; purpose: MfaChallengePurpose; ttlSeconds: number },
): Promise<void> {
  await sql`insert into mfa_challenges (token_hash, user_id, purpose, expires_at)
    values (${c.tokenHash}, ${c.userId}, ${c.purpose}, now() + make_interval(secs => ${c.ttlSeconds}))`.execute(
    db,
  );
}

/** The user of a live (unspent, unexpired) challenge of `purpose`. */
export async function findLiveChallenge(
  db: Db,
  tokenHash: string,
  purpose: MfaChallengePurpose,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('mfa_challenges')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.user_id;
}

/** Spends a challenge; false when it was spent (or expired) meanwhile. */
export async function spendChallenge(db: Db, tokenHash: string): Promise<boolean> {
  const res = await db
    .updateTable('mfa_challenges')
    .set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Housekeeping: drops challenges that expired more than an hour ago. */
export async function pruneChallenges(db: Db): Promise<void> {
  await sql`delete from mfa_challenges where expires_at < now() - interval '1 hour'`.execute(db);
}
