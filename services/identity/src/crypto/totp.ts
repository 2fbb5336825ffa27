/**
 * TOTP (RFC 6238) through `otplib`: the secret a user's authenticator app shares with identity,
 * its `otpauth://` URI (the de-facto Key URI format authenticator apps scan), and code checks
 * that report the time step a code belongs to, so a step accepted once is never accepted again
 * (RFC 6238 §5.2). Secrets are sealed at rest with AES-256-GCM (crypto/key-encryption.ts) under
 * a key derived from the KEK, bound to the user's id so a sealed secret cannot move to another row.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import { decryptSecret, encryptSecret } from './key-encryption.ts';

/** Codes one step (30 s) either side of now are accepted: clocks on phones drift (RFC 6238 §6). */
const TOLERANCE_SECONDS = 30;
export const TOTP_ISSUER = 'Portico';

/** A new 160-bit secret, base32 (RFC 4226 §4 recommends 160 bits). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(secret: string, accountName: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountName, secret });
}

export function sealTotpSecret(key: Buffer, userId: string, secret: string): string {
  return encryptSecret(key, secret, `totp:${userId}`);
}

export function openTotpSecret(key: Buffer, userId: string, sealed: string): string {
  return decryptSecret(key, sealed, `totp:${userId}`);
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'incorrect' | 'reused' };

/** Checks a six-digit code; a code of `lastStep` or earlier is `reused` even when it is right. */
export async function checkTotp(secret: string, code: string, lastStep: number | null): Promise<TotpCheck> {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'incorrect' };
  const result = await verify({ secret, token: code, epochTolerance: TOLERANCE_SECONDS });
  // The union covers HOTP results too; a TOTP result always carries its time step.
  if (!result.valid || !('timeStep' in result)) return { ok: false, reason: 'incorrect' };
  if (lastStep !== null && result.timeStep <= lastStep) return { ok: false, reason: 'reused' };
  return { ok: true, step: result.timeStep };
}
