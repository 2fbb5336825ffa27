/**
 * Identity's ES256 signing keys (RFC 7518 §3.4), kept in identity's own schema with the private
 * half encrypted (key-encryption.ts). Every replica reads the same rows, so all publish the
 * same JWKS and sign with the same key; each re-reads them every few seconds to see a rotation
 * made by another replica or by `portico keys rotate`.
 *
 * Rotation inserts a new key that activates after a delay (published in JWKS first); the old
 * one keeps verifying until its tokens expire (key-schedule.ts).
 */
import { sql, type Kysely } from 'kysely';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type SignJWT } from 'jose';
import type { Logger } from 'pino';
import type { IdentityDB, SigningKeyRow } from '../tables.ts';
import { decryptSecret, encryptSecret } from './key-encryption.ts';
import { keySchedule } from './key-schedule.ts';

export const SIGNING_ALG = 'ES256';

/** A private key jose can sign with. */
export type PrivateSigningKey = Parameters<SignJWT['sign']>[0];

interface LoadedKey {
  kid: string;
  activates_at: Date;
  created_at: Date;
  publicJwk: JWK;
  privateJwk: JWK;
  privateKey: PrivateSigningKey;
}

const LOCK = 'portico-identity:signing-keys';

/**
 * Creates a new signing key that activates `activationDelaySeconds` from now. Runs under an
 * advisory lock; with `onlyIfNoneNewerThan`, does nothing when a key was created after that
 * instant (two replicas auto-rotating at once create one key).
 */
export async function rotateSigningKey(
  db: Kysely<IdentityDB>,
  kek: Buffer,
  opts: { activationDelaySeconds: number; onlyIfNoneNewerThan?: Date; onlyIfEmpty?: boolean },
): Promise<{ kid: string; activates_at: Date } | null> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub); // RFC 7638
  const publicJwk: JWK = { ...pub, kid, alg: SIGNING_ALG, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  const sealed = encryptSecret(kek, JSON.stringify(privateJwk), kid);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${LOCK}))`.execute(trx);
    if (opts.onlyIfEmpty || opts.onlyIfNoneNewerThan) {
      const newest = (
        await sql<{
          created_at: Date;
        }>`select created_at from signing_keys order by created_at desc limit 1`.execute(trx)
      ).rows[0];
      if (opts.onlyIfEmpty && newest) return null;
      if (opts.onlyIfNoneNewerThan && newest && newest.created_at > opts.onlyIfNoneNewerThan) return null;
    }
    const row = (
      await sql<{
        kid: string;
        activates_at: Date;
      }>`insert into signing_keys (kid, alg, public_jwk, private_jwk_enc, activates_at)
        values (${kid}, ${SIGNING_ALG}, ${JSON.stringify(publicJwk)}::jsonb, ${sealed},
                now() + make_interval(secs => ${opts.activationDelaySeconds}))
        returning kid, activates_at`.execute(trx)
    ).rows[0]!;
    return row;
  });
}

export interface KeyRingOptions {
  db: Kysely<IdentityDB>;
  kek: Buffer;
  log: Logger;
  accessTtlSeconds: number;
  activationDelaySeconds: number;
  rotationDays: number;
  reloadSeconds: number;
}

/** The in-memory view of the signing keys: signer, JWKS, periodic reload and auto-rotation. */
export class KeyRing {
  readonly #o: KeyRingOptions;
  #keys = new Map<string, LoadedKey>();
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;

  constructor(opts: KeyRingOptions) {
    this.#o = opts;
  }

  /** Creates the first key if there is none, loads the keys and starts the reload timer. */
  async start(): Promise<void> {
    const created = await rotateSigningKey(this.#o.db, this.#o.kek, {
      activationDelaySeconds: 0,
      onlyIfEmpty: true,
    });
    if (created) this.#o.log.info({ kid: created.kid }, 'first signing key created');
    await this.reload();
    this.#timer = setInterval(() => {
      this.reload().catch((err: unknown) => this.#o.log.warn({ err }, 'signing keys not reloaded'));
    }, this.#o.reloadSeconds * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Re-reads the keys (importing new ones) and rotates when the newest is too old. */
  reload(): Promise<void> {
    this.#reloading ??= this.#reload().finally(() => (this.#reloading = undefined));
    return this.#reloading;
  }

  async #reload(): Promise<void> {
    const rows = (
      await sql<SigningKeyRow>`select kid, alg, public_jwk, private_jwk_enc, created_at, activates_at from signing_keys`.execute(
        this.#o.db,
      )
    ).rows;
    const next = new Map<string, LoadedKey>();
    for (const row of rows) {
      const known = this.#keys.get(row.kid);
      if (known) {
        next.set(row.kid, known);
        continue;
      }
      let privateJwk: JWK;
      try {
        privateJwk = JSON.parse(decryptSecret(this.#o.kek, row.private_jwk_enc, row.kid)) as JWK;
      } catch {
        throw new Error(
          `signing key ${row.kid} cannot be decrypted: IDENTITY_KEY_ENCRYPTION_KEY (or the data dir's signing-key-encryption.key) differs from the one that sealed it; every replica needs the same value`,
        );
      }
      next.set(row.kid, {
        kid: row.kid,
        activates_at: new Date(row.activates_at),
        created_at: new Date(row.created_at),
        publicJwk: row.public_jwk,
        privateJwk,
        privateKey: await importJWK(privateJwk, SIGNING_ALG),
      });
    }
    this.#keys = next;
    await this.#forgetExpired();
    await this.#maybeAutoRotate();
  }

  /** Destroys keys whose last token has expired: a private key nobody needs is a liability. */
  async #forgetExpired(): Promise<void> {
    const expired = this.list()
      .filter((k) => k.state === 'expired')
      .map((k) => k.kid);
    if (expired.length === 0) return;
    await sql`delete from signing_keys where kid = any(${expired})`.execute(this.#o.db);
    for (const kid of expired) this.#keys.delete(kid);
    this.#o.log.info({ kids: expired }, 'expired signing keys destroyed');
  }

  async #maybeAutoRotate(): Promise<void> {
    if (this.#o.rotationDays <= 0) return;
    const newest = [...this.#keys.values()].reduce<LoadedKey | undefined>(
      (a, k) => (!a || k.created_at > a.created_at ? k : a),
      undefined,
    );
    const cutoff = new Date(Date.now() - this.#o.rotationDays * 86_400_000);
    if (!newest || newest.created_at > cutoff) return;
    const created = await rotateSigningKey(this.#o.db, this.#o.kek, {
      activationDelaySeconds: this.#o.activationDelaySeconds,
      onlyIfNoneNewerThan: cutoff,
    });
    if (created) {
      this.#o.log.info(
        { kid: created.kid, activates_at: created.activates_at },
        'signing key rotated automatically',
      );
      await this.#reload();
    }
  }

  /** Rotates now (admin route, CLI) and reloads. */
  async rotate(
    activationDelaySeconds = this.#o.activationDelaySeconds,
  ): Promise<{ kid: string; activates_at: Date }> {
    const created = (await rotateSigningKey(this.#o.db, this.#o.kek, { activationDelaySeconds }))!;
    await this.reload();
    return created;
  }

  /** The key that signs now. */
  signer(now = Date.now()): { kid: string; key: PrivateSigningKey } {
    const { signer } = keySchedule([...this.#keys.values()], now, this.#o.accessTtlSeconds);
    if (!signer) throw new Error('no active signing key');
    return { kid: signer.kid, key: signer.privateKey };
  }

  /** RFC 7517 JWK Set of the published public keys (never a private member). */
  jwks(now = Date.now()): { keys: JWK[] } {
    const { published } = keySchedule([...this.#keys.values()], now, this.#o.accessTtlSeconds);
    return { keys: published.map((k) => publicOnly(k.publicJwk)) };
  }

  /**
   * The published keys with their private members, the signer first, for the OpenID provider
   * (oauth/providers.ts): it signs ID tokens and OAuth access tokens with the very key
   * `signer()` names, so there is one key set. `fingerprint` changes when either changes.
   */
  providerKeys(now = Date.now()): { signerKid: string; keys: JWK[]; fingerprint: string } {
    const { signer, published } = keySchedule([...this.#keys.values()], now, this.#o.accessTtlSeconds);
    if (!signer) throw new Error('no active signing key');
    const ordered = [signer, ...published.filter((k) => k.kid !== signer.kid)];
    return {
      signerKid: signer.kid,
      keys: ordered.map((k) => ({ ...k.privateJwk, use: 'sig' })),
      fingerprint: ordered.map((k) => k.kid).join(','),
    };
  }

  /** Metadata of every stored key and its state, for the admin route. */
  list(now = Date.now()): {
    kid: string;
    alg: string;
    created_at: Date;
    activates_at: Date;
    state: 'pending' | 'active' | 'retired' | 'expired';
  }[] {
    const all = [...this.#keys.values()];
    const { signer, published } = keySchedule(all, now, this.#o.accessTtlSeconds);
    const pub = new Set(published.map((k) => k.kid));
    return all
      .sort((a, b) => b.activates_at.getTime() - a.activates_at.getTime())
      .map((k) => ({
        kid: k.kid,
        alg: SIGNING_ALG,
        created_at: k.created_at,
        activates_at: k.activates_at,
        state:
          k.kid === signer?.kid
            ? 'active'
            : k.activates_at.getTime() > now
              ? 'pending'
              : pub.has(k.kid)
                ? 'retired'
                : 'expired',
      }));
  }
}

function publicOnly(jwk: JWK): JWK {
  const { kty, crv, x, y, kid, alg, use } = jwk;
  const out: JWK = { kty, crv, x, y, kid, alg, use };
  for (const k of Object.keys(out) as (keyof JWK)[]) if (out[k] === undefined) delete out[k];
  return out;
}
