/**
 * `portico keys rotate | list`: identity's signing keys.
 *
 * Keys live in identity's own database tables (PGlite under `./data/pglite` in embedded mode,
 * identity's PostgreSQL database in distributed mode), their private halves sealed with a
 * key-encryption key kept outside the database (`IDENTITY_KEY_ENCRYPTION_KEY`, or
 * `./data/identity/signing-key-encryption.key` in embedded mode).
 *
 * `rotate` asks the running identity first (a service passport minted from the platform
 * secret, as the gateway does), so it works while `portico dev` runs; when identity is not
 * running it writes the new key into the storage directly (`--offline` forces that). The new
 * key is published in JWKS at once and signs after the activation delay; the old key keeps
 * verifying until its tokens expire.
 *
 *   portico keys rotate [--activate-in SECONDS] [--url URL] [--data-dir DIR] [--offline]
 *   portico keys list   [--url URL] [--data-dir DIR]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Caller } from '@portico/kit';
import {
  derivePassportKey,
  mintPassport,
  PASSPORT_HEADER,
  PGliteProvider,
  PostgresProvider,
  type DatabaseProvider,
} from '@portico/kit/runtime';
import { upstreamOverride } from '@portico/gateway';
import { discoverServices } from '../discover.ts';

const USAGE = `usage: portico keys rotate [--activate-in SECONDS] [--url URL] [--data-dir DIR] [--offline]
       portico keys list [--url URL] [--data-dir DIR]

  --activate-in  seconds the new key is published before it signs (default: identity's
                 IDENTITY_KEY_ACTIVATION_DELAY_SECONDS, 300)
  --url          identity's address (default PORTICO_UPSTREAM_IDENTITY, else http://127.0.0.1:8001)
  --data-dir     the embedded data directory (default PORTICO_DATA_DIR, else ./data)
  --offline      do not call identity; write to its storage (DATABASE_URL, else embedded PGlite;
                 identity must not be running on embedded storage)`;

interface KeyInfo {
  kid: string;
  alg: string;
  state: string;
  created_at: string;
  activates_at: string;
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'activate-in': { type: 'string' },
        url: { type: 'string' },
        'data-dir': { type: 'string' },
        offline: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const action = positionals[0];
  if (values.help || (action !== 'rotate' && action !== 'list')) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  let delay: number | undefined;
  if (values['activate-in'] !== undefined) {
    delay = Number(values['activate-in']);
    if (!Number.isInteger(delay) || delay < 0 || delay > 86_400) {
      console.error('--activate-in must be a whole number of seconds between 0 and 86400');
      return 2;
    }
  }
  const env = process.env;
  const dataDir = path.resolve(values['data-dir'] ?? env.PORTICO_DATA_DIR ?? 'data');
  const url = (values.url ?? upstreamOverride('identity', env)?.[0] ?? 'http://127.0.0.1:8001').replace(
    /\/$/,
    '',
  );

  if (!values.offline) {
    const secret = env.PORTICO_PASSPORT_SECRET ?? (await embeddedSecret(dataDir));
    if (secret) {
      const answer = await callIdentity(url, secret, action, delay).catch((err: unknown) => err as Error);
      if (!(answer instanceof Error)) return report(action, answer);
      if (!isUnreachable(answer)) {
        console.error(`identity at ${url}: ${answer.message}`);
        return 1;
      }
      if (action === 'list') {
        console.error(`identity is not reachable at ${url}; start it (list needs the running service)`);
        return 1;
      }
      console.error(`identity is not reachable at ${url}; writing the key to its storage instead`);
    } else if (action === 'list') {
      console.error('no platform secret: set PORTICO_PASSPORT_SECRET or --data-dir');
      return 2;
    }
  }
  if (action === 'list') {
    console.error('list needs the running identity (drop --offline)');
    return 2;
  }
  return rotateOffline(dataDir, delay ?? Number(env.IDENTITY_KEY_ACTIVATION_DELAY_SECONDS ?? 300));
}

async function embeddedSecret(dataDir: string): Promise<string | undefined> {
  try {
    return (
      JSON.parse(await readFile(path.join(dataDir, 'secrets.json'), 'utf8')) as { passportSecret?: string }
    ).passportSecret;
  } catch {
    return undefined;
  }
}

/** Calls identity with a service passport (the kit lets service callers past permission checks). */
async function callIdentity(
  url: string,
  secret: string,
  action: 'rotate' | 'list',
  delay: number | undefined,
): Promise<KeyInfo[]> {
  const caller: Caller = { id: null, roles: [], permissions: [], auth: 'service', service: 'cli' };
  const passport = mintPassport(derivePassportKey(secret, 'identity'), 'identity', caller).token;
  const headers: Record<string, string> = { [PASSPORT_HEADER]: passport, 'user-agent': 'portico-cli' };
  const res =
    action === 'rotate'
      ? await fetch(`${url}/api/v1/signing-keys/rotate`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(delay === undefined ? {} : { activation_delay_seconds: delay }),
          signal: AbortSignal.timeout(10_000),
        })
      : await fetch(`${url}/api/v1/signing-keys`, { headers, signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => null)) as { detail?: string; data?: KeyInfo[] } | KeyInfo | null;
  if (!res.ok)
    throw new Error(`${res.status} ${(body as { detail?: string } | null)?.detail ?? res.statusText}`);
  return action === 'rotate' ? [body as KeyInfo] : ((body as { data: KeyInfo[] }).data ?? []);
}

function isUnreachable(err: Error): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return (
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || err.name === 'TimeoutError'
  );
}

function report(action: 'rotate' | 'list', keys: KeyInfo[]): number {
  if (action === 'rotate') {
    const k = keys[0]!;
    console.log(
      `new signing key ${k.kid} (${k.alg}): published now, signs from ${k.activates_at} [${k.state}]`,
    );
    return 0;
  }
  for (const k of keys) console.log(`${k.kid}  ${k.alg}  ${k.state.padEnd(8)}  activates ${k.activates_at}`);
  return 0;
}

async function rotateOffline(dataDir: string, delay: number): Promise<number> {
  const identity = (await discoverServices()).find((s) => s.name === 'identity');
  if (!identity) {
    console.error('no identity service in this repository');
    return 1;
  }
  const admin = (await import(
    pathToFileURL(path.join(identity.dir, 'src/commands/signing-keys.ts')).href
  )) as typeof import('@portico/identity/keys-admin');
  const env = process.env;
  let provider: DatabaseProvider;
  try {
    provider = env.DATABASE_URL
      ? new PostgresProvider({ urlFor: () => env.DATABASE_URL!, poolSize: 1 })
      : await PGliteProvider.open({ dataDir: path.join(dataDir, 'pglite') });
  } catch (err) {
    console.error(`cannot open identity's storage: ${(err as Error).message}`);
    return 1;
  }
  try {
    const store = await provider.forService('identity');
    const k = await admin.rotateOffline(store.db, {
      kekSetting: env.IDENTITY_KEY_ENCRYPTION_KEY,
      identityDataDir: path.join(dataDir, 'identity'),
      activationDelaySeconds: delay,
    });
    console.log(
      `new signing key ${k.kid} (ES256): published now, signs from ${new Date(k.activates_at).toISOString()}; running replicas pick it up within IDENTITY_KEY_RELOAD_SECONDS`,
    );
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    await provider.close();
  }
}
