/**
 * The kit's dependencies as identity sees them (typed by its tables, settings and events), and
 * what identity shares across routes, consumers and start-up: the key ring, built once per
 * start by the definition's `context` (the kit hands it on as `deps.context`).
 */
import { createHmac } from 'node:crypto';
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { IdentityEvents } from '@portico/contracts';
import type { Kysely, Transaction } from 'kysely';
import { loadKek } from './crypto/key-encryption.ts';
import { KeyRing } from './crypto/signing-keys.ts';
import type { IdentitySettings } from './settings.ts';
import type { IdentityDB } from './tables.ts';

export interface IdentityContext {
  keys: KeyRing;
  /**
   * Signs the OpenID provider's cookies (its session and interaction cookies): derived from the
   * KEK, so every replica holds the same without another secret to configure.
   */
  cookieKey: string;
  /** Seals TOTP secrets at rest (AES-256-GCM) and keys the recovery-code HMAC: derived from the KEK. */
  mfaKeys: { totp: Buffer; recovery: Buffer };
}

/** `publish` accepts the events of `IdentityEvents` only. */
export type Deps = ServiceDeps<IdentityDB, IdentitySettings, IdentityEvents, IdentityContext>;
export type Db = Kysely<IdentityDB> | Transaction<IdentityDB>;
export type Trx = Transaction<IdentityDB>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;

/** Builds the context once per start (the definition's `context`): loads the KEK, starts the key ring. */
export async function buildIdentityContext(
  deps: ServiceDeps<IdentityDB, IdentitySettings, IdentityEvents, undefined>,
): Promise<IdentityContext> {
  const settings = deps.settings;
  const { kek, source } = await loadKek(settings.IDENTITY_KEY_ENCRYPTION_KEY, deps.dataDir);
  if (source === 'generated')
    deps.log.info({ dir: deps.dataDir }, 'signing-key encryption key generated under the data dir');
  const keys = new KeyRing({
    db: deps.db,
    kek,
    log: deps.log,
    accessTtlSeconds: settings.IDENTITY_ACCESS_TOKEN_TTL,
    activationDelaySeconds: settings.IDENTITY_KEY_ACTIVATION_DELAY_SECONDS,
    rotationDays: settings.IDENTITY_KEY_ROTATION_DAYS,
    reloadSeconds: settings.IDENTITY_KEY_RELOAD_SECONDS,
  });
  await keys.start();
  deps.onClose(() => keys.stop());
  const derive = (purpose: string) =>
    createHmac('sha256', kek).update(`portico-identity:${purpose}`).digest();
  const cookieKey = derive('oidc-cookies').toString('base64url');
  return { keys, cookieKey, mfaKeys: { totp: derive('totp-secrets'), recovery: derive('recovery-codes') } };
}
