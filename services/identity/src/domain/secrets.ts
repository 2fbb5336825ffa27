/**
 * Opaque secrets identity hands out: refresh tokens and API keys. Both are 256 random bits,
 * base64url, and are stored only as SHA-256 hashes (a hash of a high-entropy secret needs no
 * salt or slow KDF: it cannot be guessed, only stolen, and the hash alone is useless).
 */
import { createHash, randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@portico/contracts';

export const REFRESH_TOKEN_PREFIX = 'prt_';
const BODY = /^[A-Za-z0-9_-]{43}$/;

export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newRefreshToken(): { token: string; hash: string } {
  const token = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}

/** An API key: `pk_live_` + 32 random bytes base64url (43 characters). */
export function newApiKey(): { key: string; hash: string; prefix: string; last4: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: sha256(key), prefix: key.slice(0, API_KEY_PREFIX.length + 4), last4: key.slice(-4) };
}

/** Whether `key` has the shape of one of our API keys (cheap check before any lookup). */
export function looksLikeApiKey(key: string): boolean {
  return key.startsWith(API_KEY_PREFIX) && BODY.test(key.slice(API_KEY_PREFIX.length));
}

/** A strong random password for the bootstrap admin (24 characters, ~143 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
