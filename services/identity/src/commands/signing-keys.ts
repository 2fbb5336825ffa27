/**
 * Signing-key rotation: by an admin or a service through the running identity (the key ring
 * stores and reloads; the rotation is audited), or without a running identity (`portico keys
 * rotate --offline`, imported by the CLI as `@portico/identity/keys-admin`), straight into
 * identity's own tables.
 */
import { sql, type Kysely } from 'kysely';
import type { Deps } from '../deps.ts';
import type { RequestFacts } from '../domain/audit.ts';
import { loadKek } from '../crypto/key-encryption.ts';
import { rotateSigningKey } from '../crypto/signing-keys.ts';
import { appendAudit } from '../repository/audit-log.ts';
import type { IdentityDB } from '../tables.ts';

export { KEK_FILE } from '../crypto/key-encryption.ts';

/** Rotates now (default delay: IDENTITY_KEY_ACTIVATION_DELAY_SECONDS) and returns the new key's listing. */
export async function rotateSigningKeyNow(
  deps: Deps,
  actorId: string | null,
  activationDelaySeconds: number | undefined,
  facts: RequestFacts,
) {
  const keys = deps.context.keys;
  const created = await keys.rotate(activationDelaySeconds);
  await appendAudit(
    deps.db,
    {
      actor_id: actorId,
      action: 'signing_key.rotated',
      target: created.kid,
      outcome: 'success',
      details: { activates_at: created.activates_at },
    },
    facts,
  );
  return keys.list().find((k) => k.kid === created.kid)!;
}

/**
 * Creates a new signing key in identity's schema, sealed with the KEK identity uses
 * (`IDENTITY_KEY_ENCRYPTION_KEY`, or `<identityDataDir>/signing-key-encryption.key`).
 */
export async function rotateOffline(
  db: Kysely<IdentityDB>,
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
