/**
 * Compact JWS (RFC 7515) verification of access tokens on node:crypto, synchronous, for the
 * request path. jose stays the reference (tests compare the two on generated tokens); this
 * module exists because a token the gateway has not seen costs a signature check on every
 * request, and how that check is driven dominates its price (docs/benchmarks.md, "Fresh
 * tokens"):
 *   - jose's jwtVerify goes through WebCrypto: a promise and a thread-pool job per token;
 *   - Node's `crypto.verify` with `dsaEncoding: 'ieee-p1363'` converts the signature by asking
 *     OpenSSL 3 for a legacy EC key copy each call (~30 µs), while the same check handed a DER
 *     signature skips that. So the raw r‖s signature is re-encoded as DER here (a few bytes).
 * Rules (RFC 8725): the algorithm comes from an allow-list, and the key must be of that
 * algorithm's type and curve (so `none`, or HS256 keyed with the public key, cannot pass); the
 * header may carry no `crit` extension; the signature is checked before any claim is read.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type JwsAlgorithm = 'ES256' | 'EdDSA';

export interface VerificationKey {
  kid: string | undefined;
  alg: JwsAlgorithm;
  key: KeyObject;
}

/** Why a token was refused (jwt.ts maps each to a stable `reason`). */
export type JwsFailure = { failure: 'malformed' | 'alg_not_allowed' | 'unknown_key' | 'bad_signature' };

export type JwsResult = { payload: Record<string, unknown> } | JwsFailure;

const KEY_TYPE: Record<JwsAlgorithm, { kty: string; crv: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

/** The usable verification keys of a JWKS (RFC 7517); keys this module cannot use are skipped. */
export class KeySet {
  readonly keys: readonly VerificationKey[];

  constructor(jwks: { keys?: unknown }) {
    if (!Array.isArray(jwks.keys)) throw new Error('JWKS has no keys array');
    const keys: VerificationKey[] = [];
    for (const jwk of jwks.keys as Array<Record<string, unknown>>) {
      if (jwk === null || typeof jwk !== 'object') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) continue;
      const alg = algorithmOf(jwk);
      if (alg === undefined) continue;
      try {
        const { kty, crv, x, y } = jwk as JsonWebKey;
        const publicOnly = alg === 'ES256' ? { kty, crv, x, y } : { kty, crv, x };
        keys.push({
          kid: typeof jwk.kid === 'string' ? jwk.kid : undefined,
          alg,
          key: createPublicKey({ key: publicOnly, format: 'jwk' }),
        });
      } catch {
        // An unparsable key is skipped, as a key of an unknown type is.
      }
    }
    this.keys = keys;
  }

  /**
   * The key for a token header: same algorithm and, when the header names one, same `kid`.
   * Without a `kid` only an unambiguous single key of the algorithm is used.
   */
  find(alg: JwsAlgorithm, kid: string | undefined): VerificationKey | undefined {
    let found: VerificationKey | undefined;
    for (const k of this.keys) {
      if (k.alg !== alg || (kid !== undefined && k.kid !== kid)) continue;
      if (found !== undefined) return undefined;
      found = k;
    }
    return found;
  }
}

function algorithmOf(jwk: Record<string, unknown>): JwsAlgorithm | undefined {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const t = KEY_TYPE[alg];
    if (jwk.kty === t.kty && jwk.crv === t.crv && (jwk.alg === undefined || jwk.alg === alg)) return alg;
  }
  return undefined;
}

interface Header {
  alg: JwsAlgorithm;
  kid: string | undefined;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;
const MAX_HEADERS = 64;

/**
 * Verifies compact JWSs against a key source. The few distinct protected headers (one per
 * signing key) are parsed once and remembered.
 */
export class JwsVerifier {
  #allowed: ReadonlySet<string>;
  #headers = new Map<string, Header>();

  constructor(allowed: readonly JwsAlgorithm[]) {
    this.#allowed = new Set(allowed);
  }

  /**
   * The verified payload, or why not. `unknown_key` (no key of `keys` fits the header, or no
   * keys yet) is the one failure a caller may retry after refetching the keys.
   */
  verify(token: string, keys: KeySet | null): JwsResult {
    if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return { failure: 'malformed' };
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    const header = this.#header(token.slice(0, dot1));
    if ('failure' in header) return header;
    const entry = keys?.find(header.alg, header.kid);
    if (entry === undefined) return { failure: 'unknown_key' };
    const signature = Buffer.from(token.slice(dot2 + 1), 'base64url');
    if (signature.length !== 64) return { failure: 'bad_signature' };
    const input = Buffer.from(token.slice(0, dot2), 'latin1');
    const ok =
      header.alg === 'ES256'
        ? verify('sha256', input, entry.key, p1363ToDer(signature))
        : verify(null, input, entry.key, signature);
    if (!ok) return { failure: 'bad_signature' };
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
    } catch {
      return { failure: 'malformed' };
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      return { failure: 'malformed' };
    return { payload: payload as Record<string, unknown> };
  }

  #header(segment: string): Header | JwsFailure {
    const known = this.#headers.get(segment);
    if (known !== undefined) return known;
    let h: unknown;
    try {
      h = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    } catch {
      return { failure: 'malformed' };
    }
    if (h === null || typeof h !== 'object' || Array.isArray(h)) return { failure: 'malformed' };
    const { alg, kid, crit, b64 } = h as Record<string, unknown>;
    if (typeof alg !== 'string') return { failure: 'malformed' };
    if (!this.#allowed.has(alg)) return { failure: 'alg_not_allowed' };
    // No extension is understood, so one marked critical (RFC 7515 §4.1.11) refuses the token.
    if (crit !== undefined || b64 !== undefined) return { failure: 'malformed' };
    if (kid !== undefined && typeof kid !== 'string') return { failure: 'malformed' };
    const header: Header = { alg: alg as JwsAlgorithm, kid };
    if (this.#headers.size < MAX_HEADERS) this.#headers.set(segment, header);
    return header;
  }
}

/** An ECDSA P-256 signature as r‖s (JWS, RFC 7518 §3.4) re-encoded as a DER SEQUENCE. */
export function p1363ToDer(sig: Buffer): Buffer {
  const r = derInteger(sig, 0);
  const s = derInteger(sig, 32);
  const out = Buffer.allocUnsafe(2 + r.length + s.length);
  out[0] = 0x30;
  out[1] = r.length + s.length;
  r.copy(out, 2);
  s.copy(out, 2 + r.length);
  return out;
}

function derInteger(sig: Buffer, start: number): Buffer {
  let i = start;
  const end = start + 32;
  while (i < end - 1 && sig[i] === 0) i++;
  const pad = sig[i]! >= 0x80 ? 1 : 0;
  const len = end - i + pad;
  const out = Buffer.allocUnsafe(2 + len);
  out[0] = 0x02;
  out[1] = len;
  if (pad) out[2] = 0;
  sig.copy(out, 2 + pad, i, end);
  return out;
}
