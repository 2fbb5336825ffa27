/**
 * Encryption at rest of the private signing keys: AES-256-GCM under a key-encryption key (KEK)
 * that never enters the database. The KEK comes from `IDENTITY_KEY_ENCRYPTION_KEY` (the same
 * value on every replica), or else from `<dataDir>/signing-key-encryption.key`, generated with
 * mode 0600 on first start (embedded mode). The key id is bound as additional data, so a
 * ciphertext cannot be moved to another key's row.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const KEK_FILE = 'signing-key-encryption.key';
const VERSION = 'v1';

/** Parses a 32-byte key given as 64 hex characters or base64/base64url. */
export function parseKek(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : Buffer.from(t, t.includes('+') || t.includes('/') ? 'base64' : 'base64url');
  if (buf.length !== 32)
    throw new Error('the key-encryption key must be 32 bytes (64 hex characters or 43 base64url characters)');
  return buf;
}

/** The KEK from the setting, or from (or newly into) the data dir. */
export async function loadKek(
  setting: string | undefined,
  dataDir: string,
): Promise<{ kek: Buffer; source: 'env' | 'file' | 'generated' }> {
  if (setting) return { kek: parseKek(setting), source: 'env' };
  const file = path.join(dataDir, KEK_FILE);
  try {
    return { kek: parseKek(await readFile(file, 'utf8')), source: 'file' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const kek = randomBytes(32);
  // 'wx': never overwrite a key another process wrote meanwhile; then read whichever won.
  try {
    await writeFile(file, kek.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    return { kek, source: 'generated' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { kek: parseKek(await readFile(file, 'utf8')), source: 'file' };
  }
}

export function encryptSecret(kek: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

export function decryptSecret(kek: Buffer, sealed: string, aad: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error('unknown sealed-secret format');
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
