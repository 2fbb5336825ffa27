/**
 * Recovery codes: ten one-time codes shown once when a second factor is turned on, for the day
 * the phone is lost. Each is 50 random bits in Crockford's base32
 * (`abcde-fghij`), and is stored as an HMAC-SHA-256 under a key that is never in the database,
 * so the table alone cannot be brute-forced offline. Spelling is forgiving: case, spaces and
 * dashes are ignored.
 */
import { createHmac, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 alphabet (no i, l, o, u), lower case: 5 bits a character. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 10;

export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(key: Buffer, userId: string, code: string): string {
  return createHmac('sha256', key)
    .update(`${userId}:${normaliseRecoveryCode(code)}`)
    .digest('hex');
}
