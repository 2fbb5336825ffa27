/**
 * Signing-key administration without a running identity (`portico keys rotate --offline`):
 * opens identity's own tables directly. Imported by the CLI; the service itself uses KeyRing.
 */
import { sql, type Kysely } from 'kysely';
import { loadKek } from './crypto/key-encryption.ts';
import { rotateSigningKey } from './crypto/signing-keys.ts';

export { KEK_FILE } from './crypto/key-encryption.ts';

/**
 * Creates a new signing key in identity's schema, sealed with the KEK identity uses
 * (`IDENTITY_KEY_ENCRYPTION_KEY`, or `<identityDataDir>/signing-key-encryption.key`).
 */
export async function rotateOffline(
  db: Kysely<any>,
  opts: { kekSetting: string | undefined; identityDataDir: string; activationDelaySeconds: number },
): Promise<{ kid: string; activates_at: Date }> {
  const exists = await sql<{ t: string | null }>`select to_regclass('signing_keys')::text as t`.execute(db);
  if (!exists.rows[0]?.t)
    throw new Error('identity has not run on this storage yet: start it once (it creates its first key)');
  const count =
    (await sql<{ n: number }>`select count(*)::int as n from signing_keys`.execute(db)).rows[0]?.n ?? 0;
  const { kek, source } = await loadKek(opts.kekSetting, opts.identityDataDir);
  if (source === 'generated' && count > 0) {
    throw new Error(
      `no key-encryption key found (IDENTITY_KEY_ENCRYPTION_KEY or ${opts.identityDataDir}/signing-key-encryption.key): the new key would be unreadable by identity`,
    );
  }
  return (await rotateSigningKey(db, kek, { activationDelaySeconds: opts.activationDelaySeconds }))!;
}
