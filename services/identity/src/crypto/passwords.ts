/**
 * Password hashing: argon2id with the OWASP Password Storage Cheat Sheet's first
 * configuration (19 MiB memory, 2 iterations, parallelism 1) via @node-rs/argon2, whose
 * prebuilt binaries run off the event loop (libuv thread pool).
 *
 * `verifyOrDummy` checks against a dummy hash when the account does not exist, so an unknown
 * email and a wrong password cost the same time (no user enumeration by timing).
 */
import { randomBytes } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { hash, verify } from '@node-rs/argon2';

/** `algorithm: 2` is Argon2id (a const enum in the package's types, which erasable TypeScript cannot import). */
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Published once per argon2 verification (tests count how many attempts reached it). */
export const passwordCheckChannel = channel('portico:identity:password-check');

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash(randomBytes(24).toString('base64url'), ARGON2_OPTIONS);
  return dummy;
}

/** Verifies `password` against `stored`, or against a dummy hash when there is no account. */
export async function verifyOrDummy(stored: string | null | undefined, password: string): Promise<boolean> {
  const target = stored ?? (await dummyHash());
  if (passwordCheckChannel.hasSubscribers) passwordCheckChannel.publish({ real: stored != null });
  try {
    const ok = await verify(target, password);
    return ok && stored != null;
  } catch {
    return false;
  }
}

/** Warms the dummy hash at start, so the first unknown-email login is not faster than the rest. */
export async function warmUpPasswords(): Promise<void> {
  await dummyHash();
}
