/**
 * What identity's routes, consumers and start-up share: the deps, the settings and the key ring,
 * built once per start by the definition's `context` (the kit hands it on as `deps.context`).
 */
import type { ServiceDeps } from '@portico/kit';
import type { IdentityEvents } from '@portico/contracts';
import { loadKek } from './crypto/key-encryption.ts';
import { KeyRing } from './crypto/signing-keys.ts';
import type { IdentitySettings } from './settings.ts';

/** The kit's dependencies as identity sees them: `publish` takes `IdentityEvents` only. */
export type IdentityDeps = ServiceDeps<any, IdentitySettings, IdentityEvents, IdentityContext>;

export interface IdentityContext {
  deps: IdentityDeps;
  settings: IdentitySettings;
  keys: KeyRing;
}

/** Builds the context once per start (the definition's `context`). */
export async function buildIdentityContext(
  deps: ServiceDeps<any, IdentitySettings, IdentityEvents, undefined>,
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
  // The same object: the kit sets `deps.context` to what this returns.
  return { deps: deps as unknown as IdentityDeps, settings, keys };
}
