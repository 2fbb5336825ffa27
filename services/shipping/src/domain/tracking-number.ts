/**
 * Tracking numbers: `PT` + 10 characters of Crockford's base32 alphabet (digits and upper-case
 * letters without I, L, O, U, so they survive being read over the phone): 32^10 ≈ 10^15
 * values from a CSPRNG. Uniqueness is enforced by the database; a collision draws again.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const TRACKING_NUMBER = /^PT[0-9A-HJKMNP-TV-Z]{10}$/;

/** @example newTrackingNumber(); // 'PT7K2M9QX4RB' */
export function newTrackingNumber(random: (n: number) => Uint8Array = randomBytes): string {
  // 32 divides 256, so `byte & 31` is unbiased.
  return 'PT' + Array.from(random(10), (b) => ALPHABET[b & 31]).join('');
}
