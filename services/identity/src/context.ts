/** What identity's routes, consumers and start-up share: the deps, the settings and the key ring. */
import type { ServiceDeps } from '@portico/kit';
import { loadKek } from './crypto/key-encryption.ts';
import { KeyRing } from './crypto/signing-keys.ts';
import type { IdentitySettings } from './settings.ts';

export interface IdentityContext {
  deps: ServiceDeps<any, IdentitySettings>;
  settings: IdentitySettings;
  keys: KeyRing;
}

const contexts = new WeakMap<object, Promise<IdentityContext>>();

/** One context per running service instance (routes and start receive the same deps). */
export function identityContext(deps: ServiceDeps<any, IdentitySettings>): Promise<IdentityContext> {
  let ctx = contexts.get(deps);
  if (!ctx) {
    ctx = build(deps);
    contexts.set(deps, ctx);
  }
  return ctx;
}

async function build(deps: ServiceDeps<any, IdentitySettings>): Promise<IdentityContext> {
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
  return { deps, settings, keys };
}
