/**
 * The embedded platform's secrets, generated on first start and kept under `./data/` with mode
 * 0600. Distributed mode never generates them: `PORTICO_PASSPORT_SECRET` must be given.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface PlatformSecrets {
  passportSecret: string;
}

export async function loadOrCreateSecrets(dataDir: string): Promise<PlatformSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PlatformSecrets;
  } catch {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const secrets: PlatformSecrets = { passportSecret: randomBytes(32).toString('base64url') };
    await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' }).catch(
      async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      },
    );
    return JSON.parse(await readFile(file, 'utf8')) as PlatformSecrets;
  }
}

/** Reads a required secret from the environment; refuses weak values. */
export function requireSecret(env: Record<string, string | undefined>, name: string): string {
  const v = env[name];
  if (!v)
    throw new Error(
      `${name} is required in distributed mode (32+ random bytes, e.g. \`openssl rand -base64 32\`)`,
    );
  if (v.length < 32) throw new Error(`${name} must be at least 32 characters`);
  return v;
}
